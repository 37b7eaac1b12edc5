# frozen_string_literal: true

require "monitor"

module CableCourier
  # Batched acknowledgements (docs/PROTOCOL.md §3) for a subscription that announced
  # `courierAcks: "batch"`. The gem's tick is one worker-pool job of the channel instance (a `receive`, or
  # one more look at a held reflex): the acks it makes wait here and leave as one message before the job
  # returns, and before any other message of the channel, so a batch never overtakes a later frame.
  # Only frames of this one subscription ever wait here, never lane state: `last` and the results are in
  # the store, and a batch lost with its socket is the same as its acks lost one by one.
  class AckBatch
    PARAM = "courierAcks"
    VALUE = "batch"
    CHUNK = 1024 # acks one message carries at most, far inside the client's bound (MAX_BATCH, 4,096)

    # The entries of one batch, in the order the acks were made, except that each run of `received` acks
    # (one clientId, consecutive seqs) stands at the place of its first member, as `seq`..`through` with
    # one id per seq: `received` only stops the client's resend timer, so it may travel early.
    def self.entries(acks)
      runs = {}
      entries = []
      acks.each do |ack|
        entry = ack.except("v")
        run = runs[entry["clientId"]] if entry["ack"] == "received"
        if run && run["through"] + 1 == entry["seq"]
          run["through"] = entry["seq"]
          run["ids"] << entry["id"]
        elsif entry["ack"] == "received"
          run = { "ack" => "received", "clientId" => entry["clientId"], "seq" => entry["seq"], "through" => entry["seq"], "ids" => [entry["id"]] }
          runs[entry["clientId"]] = run
          entries << run
        else
          entries << entry
        end
      end
      entries.map { |e| e.key?("through") && e["through"] == e["seq"] ? single(e) : e }
    end

    # A run of one is written as the plain ack it stands for.
    def self.single(run) = { "ack" => "received", "id" => run["ids"][0], "clientId" => run["clientId"], "seq" => run["seq"] }

    # The message for a list of acks: one ack alone is sent as it would be without batching.
    def self.message(acks)
      return { "courier" => acks[0] } if acks.size == 1

      { "courier" => { "v" => 1, "batch" => entries(acks) } }
    end

    # send: called with each message, in order. Reentrant, since sending goes through the channel's
    # transmit, which flushes first.
    def initialize(&send)
      @send = send
      @pending = []
      @lock = Monitor.new
    end

    def add(ack)
      @lock.synchronize do
        @pending << ack
        flush if @pending.size >= CHUNK
      end
    end

    # Sends what waits (under the lock, so two workers' flushes never reorder acks).
    def flush
      @lock.synchronize do
        return if @pending.empty?

        acks = @pending
        @pending = []
        @send.call(self.class.message(acks))
      end
    end
  end
end
