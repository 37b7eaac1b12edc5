# frozen_string_literal: true

require "json"
require "active_record"
require "monitor"

module CableCourier
  # Lane state in two tables (the install generator's migration). A reflex runs inside the transaction
  # that locks its lane row, advances `last` and stores the result, so a crash mid-reflex rolls back the
  # reflex's own database writes and the seq together.
  #
  # The lock is the first statement: an UPDATE of the lane row. On PostgreSQL and MySQL (InnoDB) that is
  # a row lock held to the end of the transaction. sqlite has no row locks and answers a second writer
  # BUSY at once inside a deferred transaction, so on sqlite one process runs its lanes one at a time
  # under a process-wide lock (fine for tests and one-process apps, not for production traffic).
  class ActiveRecordStore
    class LaneRecord < ActiveRecord::Base
      self.table_name = "cable_courier_lanes"
    end

    class ResultRecord < ActiveRecord::Base
      self.table_name = "cable_courier_results"
    end

    # What the channel may do with a locked lane. Plain statements, no model objects: this runs on every
    # stamped reflex (bench row 8 counts what it adds to a round trip).
    class Lane
      attr_reader :last

      # The row lock serialises a lane: nobody else can hold it meanwhile.
      def busy? = false

      def initialize(id, last, keep)
        @id = id
        @last = last
        @keep = keep
        @prune_every = [keep / 10, 1].max
      end

      # { "id", "operations", "error" } for a stored seq; :pruned when it is <= last but gone.
      def result(seq)
        row = ResultRecord.where(lane_id: @id, seq: seq).pick(:reflex_id, :operations, :error)
        return :pruned unless row

        reflex_id, operations, error = row
        { "id" => reflex_id, "operations" => operations ? JSON.parse(operations) : [], "error" => error }
      end

      def advance(seq, id:, operations: nil, error: nil)
        ResultRecord.insert_all!([{ lane_id: @id, seq: seq, reflex_id: id, operations: operations&.to_json, error: error, created_at: Time.now }])
        LaneRecord.where(id: @id).update_all(last: seq)
        @last = seq
        prune(seq) if (seq % @prune_every).zero?
      end

      # Every keep/10 seqs, so a lane holds between keep and keep + keep/10 successes. Failures are kept
      # twice as long: a client may still be waiting to show one.
      private def prune(seq)
        ResultRecord.where(lane_id: @id).where("seq <= ?", seq - @keep).where(error: nil).delete_all
        ResultRecord.where(lane_id: @id).where("seq <= ?", seq - 2 * @keep).delete_all
      end
    end

    def initialize(keep: KEEP, lane_ttl: LANE_TTL)
      @keep = keep
      @lane_ttl = lane_ttl
      @sqlite_lock = Monitor.new
    end

    def last(user, client_id)
      LaneRecord.find_by(user_key: user.to_s, client_id: client_id)&.last || 0
    end

    # Yields the locked lane inside a transaction; the block's writes commit with it.
    def within(user, client_id, _seq, _id, &block)
      return @sqlite_lock.synchronize { locked(user, client_id, &block) } if LaneRecord.connection.adapter_name.match?(/sqlite/i)

      locked(user, client_id, &block)
    end

    private def locked(user, client_id)
      LaneRecord.transaction do
        now = Time.now
        scope = LaneRecord.where(user_key: user.to_s, client_id: client_id)
        if scope.update_all(seen_at: now).zero?
          begin
            LaneRecord.transaction(requires_new: true) { LaneRecord.create!(user_key: user.to_s, client_id: client_id, last: 0, seen_at: now) }
          rescue ActiveRecord::RecordNotUnique
            scope.update_all(seen_at: now) # created meanwhile by another process: lock that row
          end
        end
        id, last = scope.pick(:id, :last)
        yield Lane.new(id, last, @keep)
      end
    end

    # The reflex's own writes, undone alone when it fails (its seq is still consumed).
    def isolated
      ActiveRecord::Base.transaction(requires_new: true) do
        failed = yield
        raise ActiveRecord::Rollback if failed
      end
    end

    # Lanes unseen for lane_ttl, and their results: the store grows with live clients, not page views.
    def sweep!(now = Time.now)
      stale = LaneRecord.where("seen_at < ?", now - @lane_ttl).pluck(:id)
      return 0 if stale.empty?

      ResultRecord.where(lane_id: stale).delete_all
      LaneRecord.where(id: stale).delete_all
    end
  end
end
