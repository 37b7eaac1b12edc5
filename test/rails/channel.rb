# frozen_string_literal: true

# StimulusReflex::Channel speaking cable-courier's acknowledgement extension, written to
# docs/PROTOCOL.md section 4. Rails hands one connection's messages to a pool of 4 workers, so a reflex
# may arrive before its predecessor: it is held (up to HOLD seconds) until its turn instead of
# answering `gap` at once.
module StimulusReflex
  class Channel < ActionCable::Channel::Base
    HOLD = 2.0
    BROADCASTS = "cable-courier:broadcast"
    CABLE_READY_VERSION = "5.0.6"

    # The hello goes out from here, so it precedes confirm_subscription (stream_from even defers the
    # confirmation until the pubsub subscription exists).
    def subscribed
      stream_from BROADCASTS
      return unless params["courier"] == 1

      client_id = params["clientId"]
      committed = valid_id?(client_id) ? { client_id => STORE.last(client_id) } : {}
      transmit({ "courier" => { "v" => 1, "hello" => true, "committed" => committed } })
    end

    # Never raises: a bad frame is logged and dropped, and costs no other reflex.
    def receive(data)
      return logger.warn("courier: dropped a reflex that is not an object") unless data.is_a?(Hash)

      data.key?("courier") ? deliver(data, data["courier"]) : run_plain(data)
    rescue StandardError => e
      logger.error("courier: #{e.class}: #{e.message} (#{e.backtrace&.first})")
    end

    private

    def deliver(data, stamp)
      return logger.warn("courier: dropped a reflex with an invalid stamp: #{stamp.inspect}") unless valid_stamp?(data, stamp)

      client_id = stamp["clientId"]
      seq = stamp["seq"]
      ack = lambda do |kind, extra = {}|
        transmit({ "courier" => { "v" => 1, "ack" => kind, "id" => data["id"], "clientId" => client_id, "seq" => seq, **extra } })
      end
      STORE.in_turn(client_id, seq, HOLD) do |last|
        if seq <= last
          STORE.count("duplicates")
          answer(ack, STORE.result(client_id, seq) || { "operations" => [] })
        elsif seq > last + 1
          STORE.count("gaps")
          ack.call("gap", "expected" => last + 1)
        else
          ack.call("received")
          answer(ack, run_in_turn(data, stamp))
        end
      end
    end

    def run_in_turn(data, stamp)
      client_id = stamp["clientId"]
      seq = stamp["seq"]
      return STORE.consume(client_id, seq, "expired") if stamp["void"] == true

      target = Reflexes.normalize(data["target"])
      # An unusable target is still this seq's permanent failure: consume it so the client moves on.
      return STORE.consume(client_id, seq, "invalid target #{data['target'].inspect}") unless target

      STORE.commit(target, client_id, seq) { |db| Reflexes.run(db, target, data) }
    end

    def answer(ack, record)
      if record["error"]
        ack.call("failed", "error" => record["error"])
      else
        ack.call("committed", "operations" => record["operations"])
      end
    end

    # As an unmodified StimulusReflex server: operations in a CableReady envelope, errors as morph-error.
    def run_plain(data)
      target = Reflexes.normalize(data["target"])
      return logger.warn("courier: dropped a reflex with target #{data['target'].inspect}") unless target

      record = STORE.commit(target) { |db| Reflexes.run(db, target, data) }
      operations = record["error"] ? [Reflexes.error(data, record["error"])] : record["operations"]
      transmit({ "cableReady" => true, "operations" => operations, "version" => CABLE_READY_VERSION })
    end

    def valid_stamp?(data, stamp)
      stamp.is_a?(Hash) && stamp["v"] == 1 && valid_id?(stamp["clientId"]) &&
        stamp["seq"].is_a?(Integer) && stamp["seq"].positive? && data["id"].is_a?(String)
    end

    def valid_id?(id) = id.is_a?(String) && !id.empty? && id.length <= 200
  end
end
