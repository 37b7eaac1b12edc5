# frozen_string_literal: true

require "concurrent"

# One lane per (user, clientId): its reflexes are handled one at a time, lowest seq first, although Rails
# hands a connection's messages to a shared pool of 4 workers in any order. No worker ever waits here:
# a reflex ahead of `last + 1` is parked and its worker returns at once; whichever worker holds the lane
# carries on with the next parked seq after each commit; a timer answers `gap` for a reflex parked
# `hold` seconds. A lane with nothing parked or running is forgotten.
#
# `hooks` answers last(key), run(key, item, last) (item.seq <= last + 1; must not raise),
# gap(key, item, expected) and count(stat). Items answer seq and arrived (monotonic seconds).
class CourierLanes
  Lane = Struct.new(:parked, :running, :timer, :highest)

  def initialize(hooks, hold:)
    @hooks = hooks
    @hold = hold
    # Guards @lanes and every lane's fields. Never held while a reflex runs or the store is read: `last`
    # is read outside it, which is safe because only the worker holding a lane advances that lane's last.
    @lock = Mutex.new
    @lanes = {}
  end

  def push(key, item)
    held = item.seq > @hooks.last(key) + 1 # for the stats only: the lane decides under its lock
    stats = held ? ["held"] : []
    lane = @lock.synchronize do
      lane = (@lanes[key] ||= Lane.new([], false, nil, 0))
      item.seq < lane.highest ? stats << "reordered" : lane.highest = item.seq
      lane.parked << item
      next if lane.running # the worker holding the lane picks it up after its current reflex

      lane.running = true
      lane
    end
    stats.each { |stat| @hooks.count(stat) }
    pump(key, lane) if lane
  end

  # Lanes parked or running (0 once everything is answered: idle state is not kept).
  def size = @lock.synchronize { @lanes.size }

  def reset!
    @lock.synchronize do
      @lanes.each_value { |lane| lane.timer&.cancel }
      @lanes.clear
    end
  end

  private

  # Runs every runnable item of the lane, then answers the expired ones with `gap`, then lets the lane go
  # (or forgets it). Only the caller that set `running` gets here, so a reflex and its duplicate never
  # run at once.
  def pump(key, lane)
    loop do
      last = @hooks.last(key)
      item, expired = @lock.synchronize { next_step(key, lane, last) }
      if item
        @hooks.run(key, item, last)
      elsif expired.empty?
        break
      else
        expired.each { |parked| @hooks.gap(key, parked, last + 1) }
      end
    end
  rescue StandardError => e
    # Only the store can raise here; the parked reflexes are dropped unanswered: their clients resend.
    $stderr.puts("courier lanes: #{e.class}: #{e.message}")
    @lock.synchronize do
      lane.parked.clear
      lane.running = false
      settle(key, lane)
    end
  end

  # Under the lock: the lowest runnable item, else the parked items whose wait is over; with neither, the
  # lane is released here, in the same critical section, so a concurrent push cannot be stranded.
  def next_step(key, lane, last)
    runnable = lane.parked.select { |item| item.seq <= last + 1 }.min_by(&:seq)
    return [lane.parked.delete_at(lane.parked.index { |item| item.equal?(runnable) }), []] if runnable

    now = monotonic
    expired, lane.parked = lane.parked.partition { |item| now - item.arrived >= @hold }
    if expired.empty?
      lane.running = false
      settle(key, lane)
    end
    [nil, expired]
  end

  # Arms the timer for the oldest parked item, or forgets an empty lane.
  def settle(key, lane)
    lane.timer&.cancel
    lane.timer = nil
    if lane.parked.empty?
      @lanes.delete(key) if @lanes[key].equal?(lane)
      return
    end
    wait = [lane.parked.map(&:arrived).min + @hold - monotonic, 0].max
    lane.timer = Concurrent::ScheduledTask.execute(wait) { wake(key, lane) }
  end

  def wake(key, lane)
    go = @lock.synchronize do
      next false if lane.running || !@lanes[key].equal?(lane)

      lane.running = true
    end
    pump(key, lane) if go
  end

  def monotonic = Process.clock_gettime(Process::CLOCK_MONOTONIC)
end
