# frozen_string_literal: true

# A real Rails ActionCable server (Debian's ruby-rails 6.1 under puma) as a test peer for cable-courier,
# without a Rails app: ActionCable at /cable, a StimulusReflex::Channel speaking the acknowledgement
# extension (channel.rb, lanes.rb, delivery.rb), a persistent store (store.rb), a user per connection
# (connection.rb), and HTTP endpoints for tests:
#   GET /__stats, POST /__reset, POST /__broadcast (JSON operations to every subscriber),
#   POST /__faults ({"failSaves": n}: the next n store writes fail, as on a full disk),
#   GET / (a page loading /dist/cable-courier.iife.min.js; ?start also calls CableCourier.start();
#     ?user=alice sets the `user` cookie the socket is identified by, ?user= clears it; ?identity also
#     renders <meta name="cable-courier-identity"> for that user, as an app would),
#   GET /dist/* (CABLE_COURIER_DIST).
# Env: RAILS_PEER_STATE (JSON file the store persists to), CABLE_COURIER_DIST, RAILS_PEER_LOG_LEVEL.
# Run: puma -b tcp://127.0.0.1:<port> -t 4:4 config.ru

require "logger"
require "json"
require "action_cable"
require_relative "store"
require_relative "reflexes"
require_relative "connection"

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
      %<meta>s
      <script src="/dist/cable-courier.iife.min.js"></script>
    </head>
    <body>
      <h1>Counter</h1>
      <p>User: <span id="user">%<user>s</span></p>
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

  # GET /: the user is the ?user= param when given (and remembered in the cookie), else the cookie's.
  def page(env)
    request = Rack::Request.new(env)
    query = request.GET
    user = CourierConnection.user_from(query.key?("user") ? query["user"] : request.cookies["user"])
    return json(400, { "error" => "invalid user" }) if user.nil?

    identity = CourierConnection.identity(user)
    meta = query.key?("identity") && identity ? %(<meta name="cable-courier-identity" content="#{identity}">) : ""
    boot = query.key?("start") ? BOOT : ""
    html = format(PAGE, count: STORE.stats["counter"], boot: boot, meta: meta, user: Rack::Utils.escape_html(user))
    response = Rack::Response.new([html], 200, { "content-type" => "text/html; charset=utf-8", "cache-control" => "no-store" })
    if query.key?("user")
      user.empty? ? response.delete_cookie("user", path: "/") : response.set_cookie("user", value: user, path: "/", same_site: :lax)
    end
    response.finish
  rescue Rack::Utils::InvalidParameterError, ArgumentError => e
    json(400, { "error" => e.message })
  end

  def only(method, env)
    return json(405, { "error" => "use #{method}" }) unless env["REQUEST_METHOD"] == method

    yield
  end
end

map("/cable") { run ActionCable.server }
map("/dist") { run Rack::Files.new(DIST, { "cache-control" => "no-store" }) }
map("/__stats") { run ->(env) { Http.only("GET", env) { Http.json(200, STORE.stats.merge("lanes" => StimulusReflex::Channel::LANES.size)) } } }
map("/__reset") do
  run lambda { |env|
    Http.only("POST", env) do
      StimulusReflex::Channel::LANES.reset!
      STORE.reset!
      Http.json(200, { "ok" => true })
    end
  }
end
map("/__faults") do
  run lambda { |env|
    Http.only("POST", env) do
      count = JSON.parse(env["rack.input"].read)["failSaves"]
      next Http.json(400, { "error" => "expected {\"failSaves\": n}" }) unless count.is_a?(Integer) && count >= 0

      STORE.fail_saves!(count)
      Http.json(200, { "ok" => true })
    rescue JSON::ParserError, NoMethodError, TypeError => e
      Http.json(400, { "error" => e.message })
    end
  }
end
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

    Http.only("GET", env) { Http.page(env) }
  }
end
