# frozen_string_literal: true

require_relative "lanes"
require_relative "delivery"

# StimulusReflex::Channel speaking cable-courier's acknowledgement extension (docs/PROTOCOL.md §3–4):
# the hello, stamp validation and plain StimulusReflex answers live here; a stamped reflex goes to its
# (user, clientId) lane (lanes.rb), which hands it to Delivery when its turn comes.
module StimulusReflex
  class Channel < ActionCable::Channel::Base
    HOLD = 2.0 # seconds a seq that is ahead waits for the missing ones before `gap`
    BROADCASTS = "cable-courier:broadcast"
    CABLE_READY_VERSION = "5.0.6"
    MAX_ID = 200
    MAX_SEQ = 2**53 - 1 # what a JavaScript client can count to
    LANES = CourierLanes.new(Delivery, hold: HOLD)

    # The hello goes out from here, so it precedes confirm_subscription (stream_from even defers the
    # confirmation until the pubsub subscription exists). It speaks for this connection's user only.
    def subscribed
      stream_from BROADCASTS
      return unless params["courier"] == 1

      client_id = params["clientId"]
      committed = valid_id?(client_id) ? { client_id => STORE.last(current_user, client_id) } : {}
      identity = CourierConnection.identity(current_user)
      transmit({ "courier" => { "v" => 1, "hello" => true, "committed" => committed, **(identity ? { "identity" => identity } : {}) } })
    end

    # Never raises: a bad frame is answered or dropped and costs no other reflex. Anything unexpected
    # closes the socket, since a reflex that is never answered would otherwise wait for its commit timeout.
    def receive(data)
      return logger.warn("courier: dropped a reflex that is not an object") unless data.is_a?(Hash)
      return run_plain(data) unless data.key?("courier")
      return logger.warn("courier: dropped a stamped reflex without a valid id") unless valid_id?(data["id"])

      stamp = data["courier"]
      problem = stamp_problem(stamp)
      return refuse(data, stamp, problem) if problem

      turn = Delivery::Turn.new(
        seq: stamp["seq"], arrived: Process.clock_gettime(Process::CLOCK_MONOTONIC), user: current_user,
        client_id: stamp["clientId"], id: data["id"], data: data, stamp: stamp, connection: connection, identifier: identifier
      )
      LANES.push([current_user, stamp["clientId"]], turn)
    rescue StandardError => e
      logger.error("courier: #{e.class}: #{e.message} (#{e.backtrace&.first}); closing the socket")
      Delivery.close(connection)
    end

    private

    # Without a valid stamp no seq can be consumed: the reflex is answered `failed`, the store left alone.
    def refuse(data, stamp, problem)
      logger.warn("courier: refused a reflex: #{problem}")
      raw = stamp.is_a?(Hash) ? stamp : {}
      client_id = raw["clientId"].is_a?(String) ? raw["clientId"] : ""
      seq = raw["seq"].is_a?(Integer) && raw["seq"].abs <= MAX_SEQ ? raw["seq"] : 0
      transmit({ "courier" => { "v" => 1, "ack" => "failed", "id" => data["id"], "clientId" => client_id, "seq" => seq, "error" => problem } })
    end

    # The reason a stamp is unusable, in the reference server's words (src/server/frames.ts); nil when valid.
    def stamp_problem(stamp)
      return "courier stamp is not an object" unless stamp.is_a?(Hash)
      return "unsupported courier version #{stamp['v'].to_json}" unless stamp["v"] == 1
      return "courier stamp has no valid clientId" unless valid_id?(stamp["clientId"])

      seq = stamp["seq"]
      return "courier stamp has no valid seq" unless seq.is_a?(Integer) && seq.between?(1, MAX_SEQ)
      return "courier stamp has an invalid void flag" if stamp.key?("void") && stamp["void"] != true

      nil
    end

    # As an unmodified StimulusReflex server: operations in a CableReady envelope, errors as morph-error.
    def run_plain(data)
      target = Reflexes.normalize(data["target"])
      return logger.warn("courier: dropped a reflex with target #{data['target'].inspect}") unless target

      Reflexes.prepare(target)
      record = STORE.commit(target) { |db| Reflexes.run(db, target, data) }
      operations = record["error"] ? [Reflexes.error(data, record["error"])] : record["operations"]
      transmit({ "cableReady" => true, "operations" => operations, "version" => CABLE_READY_VERSION })
    end

    def valid_id?(id) = id.is_a?(String) && !id.empty? && id.length <= MAX_ID
  end
end
