# frozen_string_literal: true

# Boots a one-file Rails 6.1 app on the unmodified StimulusReflex and CableReady sources (loaded by path
# from CABLE_COURIER_SR_GEMS, default ../shared/vendor/ruby from the repository root), sqlite in memory.
gems = ENV.fetch("CABLE_COURIER_SR_GEMS", File.expand_path("../../../shared/vendor/ruby", __dir__))
%w[stimulus_reflex-3.5.5 cable_ready-5.0.6 thread-local-1.1.0 nokogiri-html5-inference-0.3.0].each do |g|
  dir = File.join(gems, g, "lib")
  abort "cable_courier tests: #{dir} is missing (set CABLE_COURIER_SR_GEMS)" unless File.directory?(dir)
  $LOAD_PATH.unshift dir
end
$LOAD_PATH.unshift File.expand_path("../lib", __dir__)

require "tmpdir"
require "erb"
require "fileutils"
require "rails"
require "active_record/railtie"
require "action_controller/railtie"
require "action_view/railtie"
require "action_cable/engine"
require "stimulus_reflex"
require "cable_courier"
require "minitest/autorun"
require "action_cable/channel/test_case"

# What every Rails app defines; StimulusReflex::Channel inherits from it.
module ApplicationCable
  class Channel < ActionCable::Channel::Base; end
end

class CourierTestApp < Rails::Application
  config.eager_load = false
  config.logger = Logger.new(nil)
  config.secret_key_base = "test-secret-key-base-for-cable-courier"
  config.action_controller.perform_caching = true
  config.cache_store = :memory_store
end
# A file, not :memory:, so every thread's connection sees the same database.
DB_DIR = Dir.mktmpdir("cable-courier-test")
Minitest.after_run { FileUtils.rm_rf(DB_DIR) }
ENV["DATABASE_URL"] = "sqlite3:#{DB_DIR}/test.sqlite3?timeout=10000"
CourierTestApp.initialize!
ActionCable.server.config.cable = { "adapter" => "test" }
ActiveRecord::Migration.verbose = false
# The lanes tables come from the install generator's own migration template.
migration_version = "[6.1]"
eval(ERB.new(File.read(File.expand_path("../lib/generators/cable_courier/install/templates/migration.rb.tt", __dir__))).result(binding))
CreateCableCourierLanes.migrate(:up)
ActiveRecord::Schema.define do
  create_table(:notes) { |t| t.string :body }
end

class Note < ActiveRecord::Base; end

class CounterReflex < StimulusReflex::Reflex
  def increment = morph("#count", (Note.count + 1).to_s).then { Note.create!(body: "count") }
  before_reflex(only: :stop) { throw :abort }
  def stop; end
  def explode
    Note.create!(body: "rolled back")
    raise "kaboom"
  end
  def quiet = morph(:nothing)
end

CableCourier.install!

# ActionCable's test connection plus the parts StimulusReflex and the module use: an env to build the
# reflex's request from, and a worker pool that, like ActionCable's, runs each job on another thread.
class CourierConnectionStub < ActionCable::Channel::ConnectionStub
  attr_reader :closed

  # A request env as the app's middleware leaves it: signed-cookie keys and a loaded cookie session.
  def env
    @env ||= Rack::MockRequest.env_for("http://127.0.0.1/").merge(Rails.application.env_config).tap do |env|
      store = ActionDispatch::Session::CookieStore.new(Rails.application, key: "_courier_test")
      ActionDispatch::Request::Session.create(store, ActionDispatch::Request.new(env), {})
    end
  end
  def connection_identifier = identifiers.map { |i| public_send(i) }.join(":")
  def worker_pool = self
  def async_invoke(receiver, method, *args, connection:) = Thread.new { receiver.send(method, *args) }
  def close(reason:, reconnect:) = (@closed = [reason, reconnect])
end

class CourierChannelCase < ActionCable::Channel::TestCase
  tests StimulusReflex::Channel

  def setup
    CableCourier::ActiveRecordStore::ResultRecord.delete_all
    CableCourier::ActiveRecordStore::LaneRecord.delete_all
    Note.delete_all
    CableCourier.hold = 0.5
    CableCourier.retry_after = nil
    Thread.current[CableCourier::Channel::ACKED] = nil # a test that called courier_ack itself ran no job to reset it
    @default_store = CableCourier.store
  end

  def teardown
    CableCourier.store = @default_store
  end

  # The store this test runs against; the default comes back in teardown.
  def use_store(store)
    CableCourier.store = store
  end

  def connect_as(user)
    @connection = CourierConnectionStub.new(user: user)
  end

  # A connection as `user` and its courier subscription for `client_id` (the hello is its first transmission).
  def courier_subscribe(user = "alice", client_id = "tab-1", **params)
    connect_as(user)
    subscribe(channel: "StimulusReflex::Channel", courier: 1, clientId: client_id, **params)
  end

  def reflex(target, id, seq: nil, client_id: "tab-1", **extra)
    data = { "target" => target, "id" => id, "url" => "http://127.0.0.1/", "version" => StimulusReflex::VERSION,
             "selectors" => [], "attrs" => {}, "dataset" => { "dataset" => {}, "datasetAll" => {} }, "args" => [],
             "tabId" => "t", "permanentAttributeName" => "data-reflex-permanent", "formData" => "", "params" => {} }
    data["courier"] = { "v" => 1, "clientId" => client_id, "seq" => seq, **extra } if seq
    data
  end

  # What was broadcast on a stream while the block ran (ActionCable 6.1 has no capture_broadcasts).
  def capture_broadcasts(stream)
    clear_messages(stream)
    yield
    broadcasts(stream).map { |json| ActiveSupport::JSON.decode(json) }
  end

  # Every ack transmitted, a batch read as the per-reflex acks it stands for (as the client expands it).
  def acks(id = nil)
    transmissions.filter_map { |m| m["courier"] }.flat_map { |c| c["batch"] ? c["batch"].flat_map { |e| expand(e) } : [c] }
                 .select { |c| c["ack"] && (id.nil? || c["id"] == id) }
  end

  def expand(entry)
    return [entry] unless entry.key?("through")

    entry["ids"].each_with_index.map { |rid, i| { "ack" => "received", "id" => rid, "clientId" => entry["clientId"], "seq" => entry["seq"] + i } }
  end

  # Waits on a condition (a held reflex comes back from another thread), never a fixed sleep.
  def wait_until(limit = 5)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + limit
    until yield
      flunk "condition not met in #{limit}s" if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
      sleep 0.01
    end
  end
end
