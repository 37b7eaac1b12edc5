# frozen_string_literal: true

module CableCourier
  # Prepended into the unmodified StimulusReflex::Channel. Unstamped reflexes go straight to
  # StimulusReflex; a stamped one goes through docs/PROTOCOL.md §4 against CableCourier.store, and
  # StimulusReflex then runs it as always while Capture keeps its operations for `committed`.
  module Channel
    MAX_ID = 200
    MAX_SEQ = 2**53 - 1 # what a JavaScript client can count to
    ACKED = :cable_courier_acked # set while a worker's job has acks waiting in the batch

    # The hello goes out here, before confirm_subscription, for this connection's user only.
    def subscribed
      super
      # [clientId, seq] → a held reflex's wake-up (courier_requeue); stamped reflexes may come without `courier: 1`.
      @courier_waiting = Concurrent::Map.new
      return unless params["courier"] == 1

      courier_no_delay
      # Made here, before any reflex, so the workers of this subscription share one.
      @courier_acks = AckBatch.new { |message| transmit(message) } if params[AckBatch::PARAM] == AckBatch::VALUE
      user = courier_user
      client_id = params["clientId"]
      committed = courier_id?(client_id) ? { client_id => CableCourier.store.last(user, client_id) } : {}
      identity = CableCourier.identity(user)
      transmit({ "courier" => { "v" => 1, "hello" => true, "committed" => committed, **(identity ? { "identity" => identity } : {}) } })
      CableCourier.sweep_if_due
    end

    def receive(data)
      return super unless data.is_a?(Hash) && data.key?("courier")

      courier_receive(data, courier_now, retried: false)
    end

    # A held reflex comes back here from the worker pool; it never blocked a worker while it waited.
    def courier_retry(data, since)
      CableCourier.held.decrement
      courier_receive(data, since, retried: true)
    end

    private

    # Acks waiting in the batch were made first, so they go first (docs/PROTOCOL.md §3).
    def transmit(data, via: nil)
      @courier_acks&.flush
      super
    end

    def courier_receive(data, since, retried:)
      return logger.warn("courier: dropped a stamped reflex without a valid id") unless courier_id?(data["id"])

      stamp = data["courier"]
      problem = courier_stamp_problem(stamp)
      return courier_refuse(data, stamp, problem) if problem

      user = courier_user
      client_id = stamp["clientId"]
      seq = stamp["seq"]
      # A held seq looks at the lane without locking it until it may run (or must be answered `gap`):
      # held reflexes polling every RETRY would otherwise queue for the lock ahead of the one they wait
      # for (on sqlite a process-wide lock), and under load the wait outgrew HOLD. A first arrival goes
      # straight to the lock: it is usually the next seq, and the look would cost every reflex a query.
      return courier_requeue(data, since) if retried && courier_waiting?(user, client_id, seq, since)

      answer = CableCourier.store.within(user, client_id, seq, data["id"]) { |lane| courier_step(lane, data, seq, since) }
      return unless answer

      courier_ack(data, answer) # only now, after the transaction committed
      @courier_waiting.delete([client_id, seq + 1])&.call # the next seq, if it waits here, need not wait for its timer
    rescue StandardError => e
      # Not an answer: the client resends after reconnecting (docs/PROTOCOL.md §4).
      logger.error("courier: #{e.class}: #{e.message} (#{e.backtrace&.first}); closing the socket")
      @courier_acks&.flush # other reflexes' answers, already committed: they save the client a resend
      connection.close(reason: "server_error", reconnect: true)
    ensure
      # The end of this tick: nothing waits past the job that made it. A job that made no ack (a held
      # reflex looking again) leaves the others' alone, so a reflex's received and committed travel together.
      @courier_acks.flush if @courier_acks && Thread.current[ACKED]
      Thread.current[ACKED] = nil
    end

    # Runs inside the lane's transaction; returns the answer to send after commit (nil: none yet).
    def courier_step(lane, data, seq, since)
      id = data["id"]
      return courier_duplicate(lane.result(seq), id) if seq <= lane.last
      return courier_requeue(data, since) if lane.busy? # bounded by the store's lease
      return courier_hold(data, lane.last, since) if seq > lane.last + 1

      courier_ack(data, { "ack" => "received" })
      if data["courier"]["void"]
        lane.advance(seq, id: id, error: "expired")
        return { "ack" => "failed", "error" => "expired" }
      end

      operations = nil
      CableCourier.store.isolated do
        operations = Capture.around(stream_name, id) { method(:receive).super_method.call(data) }
        operations.any? { |op| courier_error(op) }
      end
      error = operations.filter_map { |op| courier_error(op) }.first
      if error
        lane.advance(seq, id: id, error: error)
        return { "ack" => "failed", "error" => error }
      end

      lane.advance(seq, id: id, operations: operations)
      { "ack" => "committed", "operations" => operations }
    end

    def courier_duplicate(stored, id)
      return { "ack" => "committed", "operations" => [], "pruned" => true } if stored == :pruned
      return { "ack" => "conflict" } if stored["id"] && stored["id"] != id
      return { "ack" => "failed", "error" => stored["error"], "replay" => true } if stored["error"]

      operations = stored["operations"].map { |op| op.merge("reflexId" => id) }
      { "ack" => "committed", "operations" => operations, "replay" => true }
    end

    # Ahead of last + 1: look again shortly from the worker pool, or answer `gap` once HOLD has passed.
    def courier_hold(data, last, since)
      expired = courier_now - since >= CableCourier.hold
      return { "ack" => "gap", "expected" => last + 1 } if expired || CableCourier.held.value >= CableCourier::MAX_HELD

      courier_requeue(data, since)
    end

    # Unlocked, so only a hint: the locked step decides again from the lane it holds.
    def courier_waiting?(user, client_id, seq, since)
      return false if courier_now - since >= CableCourier.hold || CableCourier.held.value >= CableCourier::MAX_HELD

      seq > CableCourier.store.last(user, client_id) + 1
    end

    # Looks again after RETRY, or as soon as this connection answers the seq before (whichever comes
    # first, once): a burst sent out of order then runs at the pace of the store, not of the timer. The
    # wake-up is only a hint kept on this channel instance; the store decides when it runs.
    def courier_requeue(data, since)
      CableCourier.held.increment
      key = [data["courier"]["clientId"], data["courier"]["seq"]]
      fired = Concurrent::AtomicBoolean.new
      go = -> { connection.worker_pool.async_invoke(self, :courier_retry, data, since, connection: connection) if fired.make_true }
      @courier_waiting[key] = go
      Concurrent::ScheduledTask.execute(CableCourier.retry_after) do
        @courier_waiting.delete_pair(key, go)
        go.call
      end
      nil
    end

    # StimulusReflex reports an exception as a morph-error dispatchEvent carrying its message.
    def courier_error(op)
      return nil unless op["operation"] == "dispatchEvent" && op["name"] == "stimulus-reflex:morph-error"

      op["error"].to_s.strip # StimulusReflex appends a space
    end

    def courier_ack(data, answer)
      stamp = data["courier"]
      ack = { "v" => 1, **answer, "id" => data["id"], "clientId" => stamp["clientId"], "seq" => stamp["seq"] }
      return transmit({ "courier" => ack }) unless @courier_acks

      Thread.current[ACKED] = true
      @courier_acks.add(ack)
    end

    # Without a valid stamp no seq can be consumed: answered `failed`, the store left alone. Never in a
    # batch: its seq may be one the client refuses (0, -1), and one refused entry refuses the whole batch.
    def courier_refuse(data, stamp, problem)
      logger.warn("courier: refused a reflex: #{problem}")
      raw = stamp.is_a?(Hash) ? stamp : {}
      client_id = raw["clientId"].is_a?(String) ? raw["clientId"] : ""
      seq = raw["seq"].is_a?(Integer) && raw["seq"].abs <= MAX_SEQ ? raw["seq"] : 0
      transmit({ "courier" => { "v" => 1, "ack" => "failed", "id" => data["id"], "clientId" => client_id, "seq" => seq, "error" => problem } })
    end

    # The reason a stamp is unusable, in the reference server's words (src/server/frames.ts); nil if valid.
    def courier_stamp_problem(stamp)
      return "courier stamp is not an object" unless stamp.is_a?(Hash)
      return "unsupported courier version #{stamp['v'].to_json}" unless stamp["v"] == 1
      return "courier stamp has no valid clientId" unless courier_id?(stamp["clientId"])

      seq = stamp["seq"]
      return "courier stamp has no valid seq" unless seq.is_a?(Integer) && seq.between?(1, MAX_SEQ)
      return "courier stamp has an invalid void flag" if stamp.key?("void") && stamp["void"] != true

      nil
    end

    # `committed` follows `received` within milliseconds: with Nagle's algorithm on, the second frame
    # waits for the client's delayed ACK of the first (40 ms on Linux). Frames go out as written.
    def courier_no_delay
      io = connection.env["rack.hijack_io"] if connection.respond_to?(:env)
      io.setsockopt(Socket::IPPROTO_TCP, Socket::TCP_NODELAY, 1) if io.respond_to?(:setsockopt)
    rescue SystemCallError, IOError => e
      logger.debug("courier: could not set TCP_NODELAY: #{e.message}")
    end

    def courier_user = CableCourier.identify.call(connection)
    def courier_id?(id) = id.is_a?(String) && !id.empty? && id.length <= MAX_ID
    def courier_now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  end
end
