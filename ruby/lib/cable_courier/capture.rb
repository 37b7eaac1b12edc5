# frozen_string_literal: true

module CableCourier
  # Prepended into ActionCable's server: while a stamped reflex runs, the CableReady envelopes
  # StimulusReflex broadcasts on that connection's stream for that reflex id are kept back, so they can
  # travel in `committed` after the storing transaction has committed (and be stored for replays).
  # Operations for other reflexes or other streams go out as usual.
  module Capture
    KEY = :cable_courier_capture
    Sink = Struct.new(:stream, :reflex_id, :operations)

    def self.around(stream, reflex_id)
      sink = Sink.new(stream, reflex_id, [])
      previous = Thread.current[KEY]
      Thread.current[KEY] = sink
      yield
      sink.operations
    ensure
      Thread.current[KEY] = previous
    end

    def broadcast(broadcasting, message, **options)
      sink = Thread.current[KEY]
      return super unless sink && broadcasting == sink.stream && message.is_a?(Hash) && message["cableReady"]

      mine, others = Array(message["operations"]).partition { |op| op.is_a?(Hash) && op["reflexId"] == sink.reflex_id }
      sink.operations.concat(mine)
      super(broadcasting, message.merge("operations" => others), **options) if others.any?
    end
  end
end
