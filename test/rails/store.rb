# frozen_string_literal: true

require "json"

# The peer's "database": one in-memory hash behind one Mutex, rewritten to a JSON file (tmp + rename) on
# every change, so a restarted puma boots with exactly what was committed, like an app whose database
# outlives its process. Every change is a transaction: when the file cannot be written, memory is rolled
# back too, so what a restarted puma reads is always what this one answered from.
# Dedup state lives under users → clientId (PROTOCOL.md §4: never the clientId alone).
class CourierStore
  KEEP_DONE = 100 # successes kept per client (at least the client's window); older ones replay as "no operations"
  KEEP_FAILED = 500 # failures are kept longer: replaying one as "committed" would tell the client it ran
  COUNTERS = %w[duplicates gaps held reordered conflicts].freeze

  def initialize(path)
    @path = path
    @lock = Mutex.new
    @failing_saves = 0
    @data = load
  end

  def last(user, client_id)
    @lock.synchronize { @data["users"].dig(user, client_id, "last") || 0 }
  end

  # { "id", "operations" } or { "id", "error" }; nil when never stored or pruned. No "id": stored by a
  # fixture from before results carried one.
  def result(user, client_id, seq)
    @lock.synchronize { @data["users"].dig(user, client_id, "results", seq.to_s) }
  end

  # One transaction: run the reflex (the block gets the store), record its result and advance `last`, write
  # the file. A raising reflex is rolled back and stored as its error; a failing write rolls everything
  # back and raises. Without a client (a plain reflex) only the effect and the run count are kept.
  def commit(target, user: nil, client_id: nil, seq: nil, id: nil)
    transaction do |rollback|
      record =
        begin
          { "operations" => yield(self) }
        rescue StandardError => e
          rollback.call
          { "error" => e.message }
        end
      @data["runs"][target] = (@data["runs"][target] || 0) + 1
      client_id ? advance(user, client_id, seq, id, record) : record
    end
  end

  # Consumes the seq as a failure without running anything (a tombstone, an unusable payload).
  def consume(user, client_id, seq, id, error)
    transaction { advance(user, client_id, seq, id, { "error" => error }) }
  end

  # Reflex effects; called inside commit, so already under the lock.
  def increment_counter = (@data["counter"] += 1)
  def append_log(entry) = @data["log"].push(entry)

  def count(key)
    transaction { @data[key] += 1 }
  end

  def stats
    @lock.synchronize do
      clients = @data["users"].transform_values { |lanes| lanes.transform_values { |lane| lane["last"] } }
      @data.slice("runs", "log", "counter", *COUNTERS).merge("clients" => clients)
    end
  end

  def reset!
    @lock.synchronize { @failing_saves = 0 }
    transaction { @data = empty }
  end

  # Fault injection for tests: the next `count` file writes fail as a full disk would.
  def fail_saves!(count)
    @lock.synchronize { @failing_saves = count }
  end

  private

  def transaction
    @lock.synchronize do
      before = JSON.generate(@data)
      rollback = -> { @data = JSON.parse(before) }
      begin
        yield(rollback).tap { save }
      rescue Exception # rubocop:disable Lint/RescueException -- roll back whatever interrupted us, then re-raise
        rollback.call
        raise
      end
    end
  end

  def advance(user, client_id, seq, id, record)
    lane = ((@data["users"][user] ||= {})[client_id] ||= { "last" => 0, "results" => {} })
    raise "commit of seq #{seq} for #{client_id}, expected #{lane['last'] + 1}" unless seq == lane["last"] + 1

    record = { "id" => id, **record }
    results = lane["results"]
    lane["last"] = seq
    results[seq.to_s] = record
    done = (seq - KEEP_DONE).to_s
    results.delete(done) unless results[done]&.key?("error")
    results.delete((seq - KEEP_FAILED).to_s)
    record
  end

  def empty
    { "users" => {}, "counter" => 0, "log" => [], "runs" => {}, **COUNTERS.to_h { |key| [key, 0] } }
  end

  # A state file from before users (top-level "clients") belonged to the anonymous user.
  def load
    return empty unless @path && File.exist?(@path)

    data = JSON.parse(File.read(@path))
    data["users"] ||= { "" => data.delete("clients") || {} }
    empty.merge(data)
  rescue JSON::ParserError => e
    raise "cannot read the peer state #{@path}: #{e.message}"
  end

  def save
    if @failing_saves.positive?
      @failing_saves -= 1
      raise Errno::ENOSPC, @path.to_s
    end
    return unless @path

    tmp = "#{@path}.#{Process.pid}.tmp"
    File.write(tmp, JSON.generate(@data))
    File.rename(tmp, @path)
  end
end
