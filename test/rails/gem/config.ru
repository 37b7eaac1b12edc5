# frozen_string_literal: true

# A one-file Rails 6.1 app on the unmodified StimulusReflex 3.5.5 with the cable_courier gem, under puma:
# real StimulusReflex::Reflex classes, the gem's prepended channel and its ActiveRecord store on a sqlite
# file that survives restarts (GEM_APP_DB). The user is the `user` cookie (identified_by :user).
#   GET /__stats: {"notes": [bodies], "users": [the user of each note], "pids": [the puma process that
#     wrote each note], "lanes": {clientId: last} (ActiveRecord store only)}
#   GET /?user=alice: a counter page with our client (CABLE_COURIER_DIST, served at /dist) and, with the
#     gem, cable_courier_meta_tags for the user; ?user= sets the `user` cookie, ?options=<JSON> is given
#     to CableCourier.start.
# Env: GEM_APP_PLAIN=1 leaves the gem out (plain StimulusReflex, for the client's plain mode).
#   GEM_APP_REDIS_URL: ActionCable's Redis adapter and the gem's Redis store on that server (for puma's
#     cluster mode). GEM_APP_BLOCK: a flag file; while it exists, Counter#slow waits after its write
#     (having created GEM_APP_BLOCK.entered), so a test can kill puma between `received` and `committed`.
# Run: puma -b tcp://127.0.0.1:<port> -t 4:4 [-w 2] config.ru
gems = ENV.fetch("CABLE_COURIER_SR_GEMS", File.expand_path("../../../../shared/vendor/ruby", __dir__))
%w[stimulus_reflex-3.5.5 cable_ready-5.0.6 thread-local-1.1.0 nokogiri-html5-inference-0.3.0].each do |g|
  $LOAD_PATH.unshift File.join(gems, g, "lib")
end
$LOAD_PATH.unshift File.expand_path("../../../ruby/lib", __dir__)
ENV["DATABASE_URL"] = "sqlite3:#{ENV.fetch('GEM_APP_DB')}?timeout=10000"

require "rails"
require "active_record/railtie"
require "action_controller/railtie"
require "action_view/railtie"
require "action_cable/engine"
require "stimulus_reflex"
require "cable_courier" unless ENV["GEM_APP_PLAIN"] == "1"
require "erb"
REDIS_URL = ENV["GEM_APP_REDIS_URL"].to_s
require "redis" unless REDIS_URL.empty?

module ApplicationCable
  class Channel < ActionCable::Channel::Base; end

  class Connection < ActionCable::Connection::Base
    identified_by :user

    def connect
      self.user = cookies["user"].to_s
    end
  end
end

class GemApp < Rails::Application
  config.eager_load = false
  config.logger = Logger.new($stderr)
  config.log_level = :warn
  config.secret_key_base = "gem-app-test-secret-key-base"
  config.action_controller.perform_caching = true
  config.cache_store = :memory_store
  config.hosts.clear
  config.action_cable.cable = REDIS_URL.empty? ? { "adapter" => "async" } : { "adapter" => "redis", "url" => REDIS_URL }
  config.action_cable.allowed_request_origins = [%r{\Ahttps?://127\.0\.0\.1(:\d+)?\z}]
  config.action_cable.mount_path = "/cable"
end
GemApp.initialize!

ActiveRecord::Migration.verbose = false
# Puma's cluster workers each load this file: one migrates, under a file lock, the other waits.
File.open("#{ENV.fetch('GEM_APP_DB')}.lock", File::RDWR | File::CREAT) do |lock|
  lock.flock(File::LOCK_EX)
  unless ActiveRecord::Base.connection.table_exists?(:cable_courier_lanes)
    migration_version = "[6.1]"
    eval(ERB.new(File.read(File.expand_path("../../../ruby/lib/generators/cable_courier/install/templates/migration.rb.tt", __dir__))).result(binding))
    CreateCableCourierLanes.migrate(:up)
    ActiveRecord::Schema.define { create_table(:notes) { |t| t.string :body; t.string :user; t.integer :pid } }
  end
end
CableCourier.store = CableCourier::RedisStore.new(redis: Redis.new(url: REDIS_URL)) if defined?(CableCourier) && !REDIS_URL.empty?
BLOCK = ENV["GEM_APP_BLOCK"].to_s

class Note < ActiveRecord::Base; end

class CounterReflex < StimulusReflex::Reflex
  def increment
    Note.create!(body: element.dataset[:label].to_s, user: connection.user, pid: Process.pid)
    morph "#count", Note.count.to_s
  end

  # Writes, then waits while the GEM_APP_BLOCK flag file exists (a test kills puma meanwhile).
  def slow
    increment
    return if BLOCK.empty? || !File.exist?(BLOCK)

    FileUtils.touch("#{BLOCK}.entered")
    deadline = Time.now + 60
    sleep 0.02 while File.exist?(BLOCK) && Time.now < deadline
  end
end

class StatsController < ActionController::Base
  def show
    lanes = defined?(CableCourier) && REDIS_URL.empty? ? CableCourier::ActiveRecordStore::LaneRecord.pluck(:client_id, :last).to_h : {}
    notes = Note.order(:id).pluck(:body, :user, :pid)
    render json: { notes: notes.map(&:first), users: notes.map { |n| n[1] }, pids: notes.map(&:last), lanes: lanes }
  end
end

class PagesController < ActionController::Base
  PAGE = <<~HTML
    <!doctype html>
    <html>
      <head>
        <meta charset="utf-8">
        %<meta>s
        <script src="/dist/cable-courier.iife.min.js"></script>
      </head>
      <body>
        <p>Count: <span id="count">%<count>d</span></p>
        <button id="increment" data-reflex="click->Counter#increment" data-label="click">increment</button>
        <button id="slow" data-reflex="click->Counter#slow" data-label="slow">slow</button>
        <script>
          window.courier = CableCourier.start(%<options>s);
          // A stale answer (a replay of a run whose answer this page missed) is not applied: the page
          // re-renders its count from the server, as a Turbo replace visit would.
          // A fetch cut by the network is tried again.
          const rerender = async (tries = 50) => {
            try {
              const html = await (await fetch(location.href, { cache: "no-store" })).text();
              const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("#count");
              // This app's count only grows: a render older than a morph applied meanwhile is dropped.
              const shown = document.querySelector("#count");
              if (fresh && Number(fresh.textContent) > Number(shown.textContent)) shown.textContent = fresh.textContent;
            } catch (error) {
              if (tries > 1) setTimeout(() => rerender(tries - 1), 100); else throw error;
            }
          };
          document.addEventListener("courier:stale", () => rerender());
        </script>
      </body>
    </html>
  HTML

  def show
    cookies[:user] = params[:user] if params.key?(:user)
    user = params.key?(:user) ? params[:user].to_s : cookies[:user].to_s
    meta = defined?(CableCourier) ? helpers.cable_courier_meta_tags(user: user) : helpers.action_cable_meta_tag
    render html: format(PAGE, count: Note.count, meta: meta, options: options.to_json).html_safe
  end

  private

  # The test's start() options (JSON in ?options=), e.g. a short answerTimeout.
  def options
    parsed = JSON.parse(params[:options].to_s.presence || "{}")
    parsed.is_a?(Hash) ? parsed.slice("answerTimeout", "reconnectMax", "debug") : {}
  rescue JSON::ParserError
    {}
  end
end

GemApp.routes.draw do
  get "/__stats", to: "stats#show"
  get "/", to: "pages#show"
  mount Rack::Files.new(File.expand_path(ENV.fetch("CABLE_COURIER_DIST", File.join(__dir__, "../../../dist")))), at: "/dist"
end

run GemApp
