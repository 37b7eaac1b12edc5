# frozen_string_literal: true

require_relative "test_helper"

class ActiveRecordStoreTest < CourierChannelCase
  def setup
    super
    @default = CableCourier.store
    CableCourier.store = CableCourier::ActiveRecordStore.new(keep: 3, lane_ttl: 3600)
  end

  def teardown
    CableCourier.store = @default
  end

  def test_results_beyond_the_window_are_pruned_failures_kept_longer
    connect_as("alice")
    subscribe(channel: "StimulusReflex::Channel", courier: 1, clientId: "tab-1")
    subscription.receive(reflex("CounterReflex#explode", "r1", seq: 1))
    (2..5).each { |seq| subscription.receive(reflex("CounterReflex#quiet", "r#{seq}", seq: seq)) }
    subscription.receive(reflex("CounterReflex#quiet", "r2", seq: 2))
    assert_equal ["committed", true], acks("r2").last.values_at("ack", "pruned")
    subscription.receive(reflex("CounterReflex#explode", "r1", seq: 1))
    assert_equal ["failed", true], acks("r1").last.values_at("ack", "replay"), "a failure outlives the success window"
  end

  def test_lanes_unseen_past_the_ttl_are_deleted_with_their_results
    connect_as("alice")
    subscribe(channel: "StimulusReflex::Channel", courier: 1, clientId: "old-tab")
    subscription.receive(reflex("CounterReflex#quiet", "r1", seq: 1, client_id: "old-tab"))
    subscribe(channel: "StimulusReflex::Channel", courier: 1, clientId: "new-tab")
    subscription.receive(reflex("CounterReflex#quiet", "r2", seq: 1, client_id: "new-tab"))
    CableCourier::ActiveRecordStore::LaneRecord.where(client_id: "old-tab").update_all(seen_at: Time.now - 7200)

    assert_equal 1, CableCourier.store.sweep!
    assert_equal ["new-tab"], CableCourier::ActiveRecordStore::LaneRecord.pluck(:client_id)
    assert_equal 1, CableCourier::ActiveRecordStore::ResultRecord.count
    assert_equal 0, CableCourier.store.last("alice", "old-tab")
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
end
