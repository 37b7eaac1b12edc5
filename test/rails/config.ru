# frozen_string_literal: true

# A real Rails ActionCable server (Debian's ruby-rails 6.1 under puma) as a test peer for cable-courier,
# without a Rails app: ActionCable at /cable, a StimulusReflex::Channel speaking the acknowledgement
# extension (channel.rb), a persistent store (store.rb), and HTTP endpoints for tests:
#   GET /__stats, POST /__reset, POST /__broadcast (JSON operations to every subscriber),
#   GET / (a page loading /dist/cable-courier.iife.min.js; with ?start it also calls CableCourier.start()),
#   GET /dist/* (CABLE_COURIER_DIST).
# Env: RAILS_PEER_STATE (JSON file the store persists to), CABLE_COURIER_DIST, RAILS_PEER_LOG_LEVEL.
# Run: puma -b tcp://127.0.0.1:<port> -t 4:4 config.ru

require "logger"
require "json"
require "action_cable"
require_relative "store"
require_relative "reflexes"

# Anyone may connect; the channel's params carry the identity that matters (clientId).
class CourierConnection < ActionCable::Connection::Base
end

ActionCable.server.config.tap do |config|
  config.cable = { "adapter" => "async" }
  config.connection_class = -> { CourierConnection }
  config.allowed_request_origins = [%r{\Ahttps?://(127\.0\.0\.1|localhost)(:\d+)?\z}]
  config.logger = Logger.new($stderr, level: ENV.fetch("RAILS_PEER_LOG_LEVEL", "warn"))
  # worker_pool_size stays at Rails' default of 4: out-of-order processing is what we test against.
end

require_relative "channel"

STORE = CourierStore.new(ENV["RAILS_PEER_STATE"])
DIST = File.expand_path(ENV.fetch("CABLE_COURIER_DIST", File.join(__dir__, "../../dist")))

# ?start boots the client as an app would; without it the page only loads the script.
BOOT = "<script>window.courier = CableCourier.start({ debug: false });</script>"

PAGE = <<~HTML
  <!doctype html>
  <html>
    <head>
      <meta charset="utf-8">
      <meta name="action-cable-url" content="/cable">
      <title>cable-courier Rails peer</title>
      <script src="/dist/cable-courier.iife.min.js"></script>
    </head>
    <body>
      <h1>Counter</h1>
      <p>Count: <span id="count">%<count>d</span></p>
      <button id="increment" data-reflex="click->Counter#increment">increment</button>
      %<boot>s
    </body>
  </html>
HTML

# config.ru is evaluated inside Rack::Builder instances, so the helpers live in a module.
module Http
  module_function

  def json(status, body)
    [status, { "content-type" => "application/json", "cache-control" => "no-store" }, [JSON.generate(body)]]
  end

  def only(method, env)
    return json(405, { "error" => "use #{method}" }) unless env["REQUEST_METHOD"] == method

    yield
  end
end

map("/cable") { run ActionCable.server }
map("/dist") { run Rack::Files.new(DIST, { "cache-control" => "no-store" }) }
map("/__stats") { run ->(env) { Http.only("GET", env) { Http.json(200, STORE.stats) } } }
map("/__reset") { run ->(env) { Http.only("POST", env) { STORE.reset! && Http.json(200, { "ok" => true }) } } }
map("/__broadcast") do
  run lambda { |env|
    Http.only("POST", env) do
      operations = JSON.parse(env["rack.input"].read)
      next Http.json(400, { "error" => "expected a JSON array of operations" }) unless operations.is_a?(Array)

      message = { "cableReady" => true, "operations" => operations, "version" => StimulusReflex::Channel::CABLE_READY_VERSION }
      ActionCable.server.broadcast(StimulusReflex::Channel::BROADCASTS, message)
      Http.json(200, { "ok" => true })
    rescue JSON::ParserError => e
      Http.json(400, { "error" => e.message })
    end
  }
end
map("/") do
  run lambda { |env|
    next Http.json(404, { "error" => "not found" }) unless env["PATH_INFO"].empty? || env["PATH_INFO"] == "/"

    boot = Rack::Utils.parse_query(env["QUERY_STRING"]).key?("start") ? BOOT : ""
    html = format(PAGE, count: STORE.stats["counter"], boot: boot)
    [200, { "content-type" => "text/html; charset=utf-8", "cache-control" => "no-store" }, [html]]
  }
end
