# frozen_string_literal: true

# A one-file Rails 6.1 app on the unmodified StimulusReflex 3.5.5 with the cable_courier gem, under puma:
# real StimulusReflex::Reflex classes, the gem's prepended channel and its ActiveRecord store on a sqlite
# file that survives restarts (GEM_APP_DB). The user is the `user` cookie (identified_by :user).
#   GET /__stats: {"notes": [bodies], "lanes": {clientId: last}}
#   GET /: a counter page with our client (CABLE_COURIER_DIST, served at /dist)
# GEM_APP_PLAIN=1 leaves the gem out: plain StimulusReflex, for the client's plain mode.
# Run: puma -b tcp://127.0.0.1:<port> -t 4:4 config.ru
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
  config.action_cable.cable = { "adapter" => "async" }
  config.action_cable.allowed_request_origins = [%r{\Ahttps?://127\.0\.0\.1(:\d+)?\z}]
  config.action_cable.mount_path = "/cable"
end
GemApp.initialize!

ActiveRecord::Migration.verbose = false
unless ActiveRecord::Base.connection.table_exists?(:cable_courier_lanes)
  migration_version = "[6.1]"
  eval(ERB.new(File.read(File.expand_path("../../../ruby/lib/generators/cable_courier/install/templates/migration.rb.tt", __dir__))).result(binding))
  CreateCableCourierLanes.migrate(:up)
  ActiveRecord::Schema.define { create_table(:notes) { |t| t.string :body } }
end

class Note < ActiveRecord::Base; end

class CounterReflex < StimulusReflex::Reflex
  def increment
    Note.create!(body: element.dataset[:label].to_s)
    morph "#count", Note.count.to_s
  end
end

class StatsController < ActionController::Base
  def show
    lanes = defined?(CableCourier) ? CableCourier::ActiveRecordStore::LaneRecord.pluck(:client_id, :last).to_h : {}
    render json: { notes: Note.order(:id).pluck(:body), lanes: lanes }
  end
end

class PagesController < ActionController::Base
  PAGE = <<~HTML
    <!doctype html>
    <html>
      <head>
        <meta charset="utf-8">
        <meta name="action-cable-url" content="/cable">
        <script src="/dist/cable-courier.iife.min.js"></script>
      </head>
      <body>
        <p>Count: <span id="count">%<count>d</span></p>
        <button id="increment" data-reflex="click->Counter#increment" data-label="click">increment</button>
        <script>window.courier = CableCourier.start({ debug: false });</script>
      </body>
    </html>
  HTML

  def show
    cookies[:user] = params[:user] if params[:user]
    render html: format(PAGE, count: Note.count).html_safe
  end
end

GemApp.routes.draw do
  get "/__stats", to: "stats#show"
  get "/", to: "pages#show"
  mount Rack::Files.new(File.expand_path(ENV.fetch("CABLE_COURIER_DIST", File.join(__dir__, "../../../dist")))), at: "/dist"
end

run GemApp
