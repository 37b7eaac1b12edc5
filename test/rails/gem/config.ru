# frozen_string_literal: true

# A Rails 6.1 app on the unmodified StimulusReflex 3.5.5 with the cable_courier gem, under puma: real
# StimulusReflex::Reflex classes (reflexes.rb), the gem's prepended channel and its ActiveRecord store on
# a sqlite file that survives restarts (GEM_APP_DB; schema.rb). The user is the `user` cookie, or a
# `user` param on the cable URL (identified_by :user). The page is page.rb; the test's probes
# (/__stats, /__reset, /__broadcast, /__faults) are probes.rb.
# Env: GEM_APP_PLAIN=1 leaves the gem out (plain StimulusReflex, for the client's plain mode).
#   GEM_APP_REDIS_URL: ActionCable's Redis adapter and the gem's Redis store on that server (for puma's
#     cluster mode). GEM_APP_BLOCK: a flag file; while it exists, Counter#slow waits after its write
#     (having created GEM_APP_BLOCK.entered), so a test can kill puma between `received` and `committed`.
#   CABLE_COURIER_DIST: the folder served at /dist (default the repository's dist/).
# Run: RAILS_ENV=test puma -b tcp://127.0.0.1:<port> -t 4:4 [-w 2] config.ru
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

  # The user is the `user` cookie, or a `user` query param on the cable URL (so a test can open sockets
  # as several users from one place); "" for nobody. Never do this in an app.
  class Connection < ActionCable::Connection::Base
    identified_by :user

    def connect
      query = Rack::Utils.parse_query(request.query_string)
      self.user = (query.key?("user") ? query["user"] : cookies["user"]).to_s
    end
  end
end

class GemApp < Rails::Application
  config.eager_load = false
  config.logger = Logger.new($stderr)
  config.log_level = :warn
  config.secret_key_base = "gem-app-test-secret-key-base" # fixed: identities stay stable across restarts
  config.action_controller.perform_caching = true
  config.cache_store = :memory_store
  config.hosts.clear
  config.action_cable.cable = REDIS_URL.empty? ? { "adapter" => "async" } : { "adapter" => "redis", "url" => REDIS_URL }
  config.action_cable.allowed_request_origins = [%r{\Ahttps?://127\.0\.0\.1(:\d+)?\z}]
  config.action_cable.mount_path = "/cable"
end
GemApp.initialize!

require_relative "schema"
CableCourier.store = CableCourier::RedisStore.new(redis: Redis.new(url: REDIS_URL)) if defined?(CableCourier) && !REDIS_URL.empty?
require_relative "reflexes"
require_relative "probes"
require_relative "page"

GemApp.routes.draw do
  get "/__stats", to: "probes#stats"
  post "/__reset", to: "probes#reset"
  post "/__broadcast", to: "probes#broadcast"
  post "/__faults", to: "probes#faults"
  get "/", to: "pages#show"
  mount Rack::Files.new(File.expand_path(ENV.fetch("CABLE_COURIER_DIST", File.join(__dir__, "../../../dist")))), at: "/dist"
end

run GemApp
