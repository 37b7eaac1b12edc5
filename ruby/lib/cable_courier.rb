# frozen_string_literal: true

require "openssl"
require "active_support"
require "concurrent"
require "cable_courier/version"

# Server half of cable-courier for apps on the unmodified stimulus_reflex gem: a module prepended into
# StimulusReflex::Channel (CableCourier::Channel) applies docs/PROTOCOL.md §4 to every stamped reflex,
# with all lane state in a store so the rules hold across processes.
module CableCourier
  autoload :AckBatch, "cable_courier/ack_batch"
  autoload :Capture, "cable_courier/capture"
  autoload :Channel, "cable_courier/channel"
  autoload :Helper, "cable_courier/helper"
  autoload :ActiveRecordStore, "cable_courier/active_record_store"
  autoload :RedisStore, "cable_courier/redis_store"

  HOLD = 2.0 # default seconds a seq that is ahead waits for the missing ones before `gap`
  RETRY = 0.05   # seconds between two looks at a held reflex; no worker waits meanwhile
  KEEP = 100     # results kept per lane (at least the client's window)
  LANE_TTL = 48 * 3600 # seconds a lane may go unseen before it is deleted (client maxAge is 24 h)
  SWEEP_EVERY = 600    # seconds between two sweeps of stale lanes by one process
  MAX_HELD = 1000      # reflexes one process re-queues at once; beyond, a seq that is ahead gets `gap` at once

  class << self
    # The user a connection speaks for; lanes are namespaced by it. Default: the connection's
    # identified_by values (ActionCable's own connection_identifier).
    attr_writer :identify, :store, :hold, :retry_after, :view_user

    # Seconds a seq that is ahead is held for the missing ones before `gap`.
    def hold = @hold || HOLD

    # Seconds at most between two looks at a held reflex (it looks sooner when its connection answers
    # the seq before it).
    def retry_after = @retry_after || RETRY

    # Reflexes this process has re-queued and not yet looked at again (bounds what peers can park here).
    def held = @held ||= Concurrent::AtomicFixnum.new(0)

    def identify = @identify ||= ->(connection) { connection.connection_identifier }
    def store = @store ||= ActiveRecordStore.new

    # The user a view speaks for (cable_courier_meta_tags); it must name the same value `identify`
    # returns for that user's connection, or the client sees two identities.
    def view_user = @view_user ||= ->(view) { view.respond_to?(:current_user) ? view.current_user&.id : nil }

    # An opaque, stable name for the user (never the id itself): the hello's `identity` and the
    # cable-courier-identity meta tag.
    def identity(user)
      return nil if user.nil? || user.to_s.empty?

      OpenSSL::HMAC.hexdigest("SHA256", identity_key, user.to_s)
    end

    def identity_key
      @identity_key ||= Rails.application.key_generator.generate_key("cable_courier identity", 32)
    end

    # Deletes stale lanes at most every SWEEP_EVERY seconds per process (called from `subscribed`).
    def sweep_if_due(now = Time.now)
      return 0 if @swept_at && now - @swept_at < SWEEP_EVERY

      @swept_at = now
      store.sweep!(now)
    end

    def install!
      StimulusReflex::Channel.prepend(Channel) unless StimulusReflex::Channel < Channel
      ActionCable::Server::Base.prepend(Capture) unless ActionCable::Server::Base < Capture
    end
  end
end

require "cable_courier/railtie" if defined?(Rails::Railtie)
