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

    LANES = "cable_courier_lanes"
    RESULTS = "cable_courier_results"

    # What the channel may do with a locked lane. Plain SQL strings, no relations or model objects: this
    # runs on every stamped reflex, and building the statements through Arel cost more than running them
    # (bench row 8 counts what the gem adds to a round trip).
    class Lane
      attr_reader :last

      # The row lock serialises a lane: nobody else can hold it meanwhile.
      def busy? = false

      def initialize(conn, id, last, keep)
        @conn = conn
        @id = id
        @last = last
        @keep = keep
        @prune_every = [keep / 10, 1].max
      end

      # { "id", "operations", "error" } for a stored seq; :pruned when it is <= last but gone.
      def result(seq)
        row = @conn.select_rows("SELECT reflex_id, operations, error FROM #{RESULTS} WHERE lane_id = #{@id} AND seq = #{Integer(seq)}").first
        return :pruned unless row

        reflex_id, operations, error = row
        { "id" => reflex_id, "operations" => operations ? JSON.parse(operations) : [], "error" => error }
      end

      def advance(seq, id:, operations: nil, error: nil)
        q = @conn.method(:quote)
        seq = Integer(seq)
        @conn.exec_update("INSERT INTO #{RESULTS} (lane_id, seq, reflex_id, operations, error, created_at) " \
                          "VALUES (#{@id}, #{seq}, #{q[id]}, #{q[operations && JSON.generate(operations)]}, #{q[error]}, #{q[Time.now]})")
        @conn.exec_update("UPDATE #{LANES} SET last = #{seq} WHERE id = #{@id}")
        @last = seq
        prune(seq) if (seq % @prune_every).zero?
      end

      # Every keep/10 seqs, so a lane holds between keep and keep + keep/10 successes. Failures are kept
      # twice as long: a client may still be waiting to show one.
      private def prune(seq)
        @conn.exec_delete("DELETE FROM #{RESULTS} WHERE lane_id = #{@id} AND seq <= #{seq - @keep} AND error IS NULL")
        @conn.exec_delete("DELETE FROM #{RESULTS} WHERE lane_id = #{@id} AND seq <= #{seq - 2 * @keep}")
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
      return @sqlite_lock.synchronize { locked(user, client_id, &block) } if sqlite?

      locked(user, client_id, &block)
    end

    private def locked(user, client_id)
      conn = LaneRecord.connection
      LaneRecord.transaction do
        where = "user_key = #{conn.quote(user.to_s)} AND client_id = #{conn.quote(client_id)}"
        lock = "UPDATE #{LANES} SET seen_at = #{conn.quote(Time.now)} WHERE #{where}"
        row = lock_row(conn, lock, where)
        unless row
          begin
            LaneRecord.transaction(requires_new: true) { LaneRecord.create!(user_key: user.to_s, client_id: client_id, last: 0, seen_at: Time.now) }
          rescue ActiveRecord::RecordNotUnique
            nil # created meanwhile by another process: lock that row
          end
          row = lock_row(conn, lock, where)
        end
        yield Lane.new(conn, Integer(row[0]), Integer(row[1]), @keep)
      end
    end

    # Locks the lane row and reads its id and last; nil when there is no row. One statement where the
    # database has UPDATE … RETURNING (PostgreSQL, sqlite 3.35+), two elsewhere (MySQL).
    private def lock_row(conn, lock, where)
      return conn.exec_query("#{lock} RETURNING id, last").rows.first if returning?(conn)
      return nil if conn.exec_update(lock).zero?

      conn.select_rows("SELECT id, last FROM #{LANES} WHERE #{where}").first
    end

    private def returning?(conn)
      return @returning unless @returning.nil?

      @returning = conn.adapter_name.match?(/postg/i) || (sqlite? && conn.database_version >= "3.35.0")
    end

    private def sqlite? = @sqlite.nil? ? (@sqlite = LaneRecord.connection.adapter_name.match?(/sqlite/i)) : @sqlite

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
