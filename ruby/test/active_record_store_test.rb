# frozen_string_literal: true

require_relative "test_helper"

class ActiveRecordStoreTest < CourierChannelCase
  def setup
    super
    use_store(CableCourier::ActiveRecordStore.new(keep: 3, lane_ttl: 3600))
  end

  def test_results_beyond_the_window_are_pruned_failures_kept_longer
    courier_subscribe
    subscription.receive(reflex("CounterReflex#explode", "r1", seq: 1))
    (2..5).each { |seq| subscription.receive(reflex("CounterReflex#quiet", "r#{seq}", seq: seq)) }
    subscription.receive(reflex("CounterReflex#quiet", "r2", seq: 2))
    assert_equal ["committed", true], acks("r2").last.values_at("ack", "pruned")
    subscription.receive(reflex("CounterReflex#explode", "r1", seq: 1))
    assert_equal ["failed", true], acks("r1").last.values_at("ack", "replay"), "a failure outlives the success window"
  end

  def test_lanes_unseen_past_the_ttl_are_deleted_with_their_results
    courier_subscribe("alice", "old-tab")
    subscription.receive(reflex("CounterReflex#quiet", "r1", seq: 1, client_id: "old-tab"))
    courier_subscribe("alice", "new-tab")
    subscription.receive(reflex("CounterReflex#quiet", "r2", seq: 1, client_id: "new-tab"))
    CableCourier::ActiveRecordStore::LaneRecord.where(client_id: "old-tab").update_all(seen_at: Time.now - 7200)

    assert_equal 1, CableCourier.store.sweep!
    assert_equal ["new-tab"], CableCourier::ActiveRecordStore::LaneRecord.pluck(:client_id)
    assert_equal 1, CableCourier::ActiveRecordStore::ResultRecord.count
    assert_equal 0, CableCourier.store.last("alice", "old-tab")
  end

  # Every page load mints a clientId: a subscription sweeps (at most every SWEEP_EVERY per process), so
  # lanes of page views long gone are deleted while a live client's lane, seen meanwhile, stays.
  def test_the_store_grows_with_live_clients_not_page_views
    (1..5).each do |n|
      courier_subscribe("alice", "view-#{n}")
      subscription.receive(reflex("CounterReflex#quiet", "v#{n}", seq: 1, client_id: "view-#{n}"))
    end
    lanes = CableCourier::ActiveRecordStore::LaneRecord
    lanes.update_all(seen_at: Time.now - 7200) # two hours unseen, past this store's lane_ttl of one
    courier_subscribe("alice", "view-5")
    subscription.receive(reflex("CounterReflex#quiet", "v5b", seq: 2, client_id: "view-5")) # the live client
    CableCourier.instance_variable_set(:@swept_at, Time.now - CableCourier::SWEEP_EVERY) # this process's last sweep is due
    courier_subscribe("alice", "view-6")

    assert_equal ["view-5"], lanes.pluck(:client_id)
    assert_equal 2, CableCourier.store.last("alice", "view-5")
    assert_equal [1, 2], CableCourier::ActiveRecordStore::ResultRecord.order(:seq).pluck(:seq)
    lanes.update_all(seen_at: Time.now - 7200)
    courier_subscribe("alice", "view-7")
    assert_equal 1, lanes.count, "the next sweep waits SWEEP_EVERY"
  ensure
    CableCourier.instance_variable_set(:@swept_at, nil)
  end

  def test_lanes_outlive_the_clients_max_age
    client_max_age = File.read(File.expand_path("../../src/options.ts", __dir__))[/maxAge: options\.maxAge \?\? ([\d *]+),/, 1]
    refute_nil client_max_age, "src/options.ts names the client's default maxAge"
    assert_operator CableCourier::LANE_TTL * 1000, :>, eval(client_max_age) # rubocop:disable Security/Eval -- digits and * only
  end

  def test_the_lane_row_is_locked_while_a_reflex_runs
    entered = Queue.new
    release = Queue.new
    holder = Thread.new do
      CableCourier.store.within("alice", "tab-1", 1, "r1") do |lane|
        entered << true
        release.pop
        lane.advance(1, id: "r1", operations: [])
      end
    end
    entered.pop
    seen = Queue.new
    waiter = Thread.new { CableCourier.store.within("alice", "tab-1", 1, "r1") { |lane| seen << lane.last } }
    refute waiter.join(0.5), "a second transaction on the lane must wait for the first one's lock"
    release << true
    [holder, waiter].each(&:join)
    assert_equal 1, seen.pop, "the second transaction sees the first one's advance"
  end

  # MySQL has no UPDATE … RETURNING: the lock is an UPDATE and a SELECT there, with the same answers.
  def test_without_returning_the_lock_reads_the_lane_in_a_second_statement
    store = CableCourier.store
    store.instance_variable_set(:@returning, false)
    statements = []
    listener = ActiveSupport::Notifications.subscribe("sql.active_record") { |*, payload| statements << payload[:sql] }
    courier_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1)) # creates the lane
    subscription.receive(reflex("CounterReflex#increment", "r2", seq: 2))
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    ActiveSupport::Notifications.unsubscribe(listener)
    assert_equal [%w[committed 1], %w[committed 2], ["committed", "1"]], acks.reject { |a| a["ack"] == "received" }.map { |a| [a["ack"], a["operations"].first["html"]] }
    assert acks("r1").last["replay"]
    assert_equal 2, store.last("alice", "tab-1")
    assert_empty statements.grep(/RETURNING/i)
    assert_equal 3, statements.grep(/\ASELECT id, last FROM/).size
  end
end
