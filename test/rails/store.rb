# frozen_string_literal: true

require "json"

# The peer's "database": one in-memory hash behind one Mutex, rewritten to a JSON file (tmp + rename) on
# every change, so a restarted puma boots with exactly what was committed, like an app whose database
# outlives its process. Per-client ordering locks live beside it and are not persisted.
class CourierStore
  KEEP_RESULTS = 500 # results kept per client; an older duplicate is answered with no operations
  Turn = Struct.new(:mutex, :cv, :highest) # highest: the highest seq a worker has picked up so far

  def initialize(path)
    @path = path
    @lock = Mutex.new
    @turns = Hash.new { |turns, id| turns[id] = Turn.new(Mutex.new, ConditionVariable.new, 0) }
    @turns_lock = Mutex.new
    @data = load
  end

  def last(client_id)
    @lock.synchronize { @data["clients"].dig(client_id, "last") || 0 }
  end

  def result(client_id, seq)
    @lock.synchronize { @data["clients"].dig(client_id, "results", seq.to_s) }
  end

  # Runs the block when seq is this client's turn (seq <= last + 1), or after `hold` seconds, with the
  # client's lock held: one reflex per client at a time, in seq order even when Rails' worker pool hands
  # them over out of order (counted as "reordered": a worker picked it up after a later seq). Yields
  # the current last.
  def in_turn(client_id, seq, hold)
    turn = @turns_lock.synchronize do
      @turns[client_id].tap { |t| seq < t.highest ? count("reordered") : t.highest = seq }
    end
    turn.mutex.synchronize do
      deadline = monotonic + hold
      held = false
      while seq > last(client_id) + 1 && (left = deadline - monotonic) > 0
        held = true
        turn.cv.wait(turn.mutex, left)
      end
      count("held") if held
      begin
        yield last(client_id)
      ensure
        turn.cv.broadcast
      end
    end
  end

  # One transaction: run the reflex (the block gets the store), then record its result and advance
  # `last`. A raising reflex is rolled back and stored as its error. client_id nil = a plain reflex.
  def commit(target, client_id = nil, seq = nil)
    @lock.synchronize do
      snapshot = JSON.generate(@data)
      record =
        begin
          { "operations" => yield(self) }
        rescue StandardError => e
          @data = JSON.parse(snapshot)
          { "error" => e.message }
        end
      @data["runs"][target] = (@data["runs"][target] || 0) + 1
      advance(client_id, seq, record) if client_id
      save
      record
    end
  end

  # Consumes the seq as a failure without running anything (a tombstone, an unusable payload).
  def consume(client_id, seq, error)
    @lock.synchronize { advance(client_id, seq, { "error" => error }).tap { save } }
  end

  # Reflex effects; called inside commit, so already under the lock.
  def increment_counter = (@data["counter"] += 1)
  def append_log(entry) = @data["log"].push(entry)

  def count(key)
    @lock.synchronize { @data[key] += 1; save }
  end

  def stats
    @lock.synchronize do
      clients = @data["clients"].transform_values { |c| c["last"] }
      @data.slice("runs", "log", "counter", "duplicates", "gaps", "held", "reordered").merge("clients" => clients)
    end
  end

  def reset!
    @lock.synchronize { @data = empty; save }
    @turns_lock.synchronize { @turns.each_value { |turn| turn.highest = 0 } }
  end

  private

  def advance(client_id, seq, record)
    client = (@data["clients"][client_id] ||= { "last" => 0, "results" => {} })
    client["last"] = seq
    client["results"][seq.to_s] = record
    client["results"].delete((seq - KEEP_RESULTS).to_s)
    record
  end

  def empty
    { "clients" => {}, "counter" => 0, "log" => [], "runs" => {}, "duplicates" => 0, "gaps" => 0, "held" => 0, "reordered" => 0 }
  end

  def load
    return empty unless @path && File.exist?(@path)
    empty.merge(JSON.parse(File.read(@path)))
  rescue JSON::ParserError => e
    raise "cannot read the peer state #{@path}: #{e.message}"
  end

  def save
    return unless @path
    tmp = "#{@path}.#{Process.pid}.tmp"
    File.write(tmp, JSON.generate(@data))
    File.rename(tmp, @path)
  end

  def monotonic = Process.clock_gettime(Process::CLOCK_MONOTONIC)
end
