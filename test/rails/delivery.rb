# frozen_string_literal: true

# docs/PROTOCOL.md §4 for one stamped reflex whose turn has come (CourierLanes decides when): a duplicate
# is answered from the stored result (or `conflict` when another reflex id used the seq), the next seq
# runs and commits, a seq still ahead after the wait is answered `gap`. These are the lanes' hooks.
module Delivery
  # One stamped reflex on its way through a lane; `connection` and `identifier` say where its acks go.
  Turn = Struct.new(:seq, :arrived, :user, :client_id, :id, :data, :stamp, :connection, :identifier, keyword_init: true)

  module_function

  def last(key) = STORE.last(*key)
  def count(stat) = STORE.count(stat)

  # Never raises. Anything unexpected (a store that cannot write, a bug) is not an answer: the socket is
  # closed so the client resends after reconnecting, and the store, having rolled back, decides again.
  def run(_key, turn, last)
    turn.seq <= last ? duplicate(turn) : fresh(turn)
  rescue StandardError => e
    logger.error("courier: #{turn.client_id} seq #{turn.seq}: #{e.class}: #{e.message} (#{e.backtrace&.first}); closing the socket")
    close(turn.connection)
  end

  def gap(_key, turn, expected)
    STORE.count("gaps")
    ack(turn, "gap", "expected" => expected)
  rescue StandardError => e
    logger.error("courier: gap answer for #{turn.client_id} seq #{turn.seq} failed: #{e.class}: #{e.message}")
    close(turn.connection)
  end

  def duplicate(turn)
    stored = STORE.result(turn.user, turn.client_id, turn.seq)
    if stored&.fetch("id", nil) && stored["id"] != turn.id
      STORE.count("conflicts")
      return ack(turn, "conflict")
    end
    STORE.count("duplicates")
    answer(turn, stored || { "operations" => [] })
  end

  def fresh(turn)
    ack(turn, "received")
    slot = [turn.user, turn.client_id, turn.seq, turn.id]
    return answer(turn, STORE.consume(*slot, "expired")) if turn.stamp["void"] == true

    target = Reflexes.normalize(turn.data["target"])
    # An unusable target is still this seq's permanent failure: consume it so the client moves on.
    return answer(turn, STORE.consume(*slot, "invalid target #{turn.data['target'].inspect}")) unless target

    Reflexes.prepare(target)
    record = STORE.commit(target, user: turn.user, client_id: turn.client_id, seq: turn.seq, id: turn.id) do |db|
      Reflexes.run(db, target, turn.data)
    end
    answer(turn, record)
  end

  # Stored operations carry the reflexId of whichever reflex is asking now (a replay included).
  def answer(turn, record)
    return ack(turn, "failed", "error" => record["error"]) if record["error"]

    ack(turn, "committed", "operations" => record["operations"].map { |op| op.merge("reflexId" => turn.id) })
  end

  def ack(turn, kind, extra = {})
    message = { "courier" => { "v" => 1, "ack" => kind, "id" => turn.id, "clientId" => turn.client_id, "seq" => turn.seq, **extra } }
    turn.connection.transmit(identifier: turn.identifier, message: message)
  end

  # reconnect: true, so the client comes back and resends. (ActionCable 6.1's socket refuses code 1011:
  # it sends a `disconnect` frame and closes with 1000.)
  def close(connection)
    connection.close(reason: "server error", reconnect: true)
  rescue StandardError => e
    logger.error("courier: could not close the socket: #{e.class}: #{e.message}")
  end

  def logger = ActionCable.server.logger
end
