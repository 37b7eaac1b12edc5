# frozen_string_literal: true

require_relative "test_helper"
require_relative "support/redis_server"
require "redis"

REDIS_PORT = RedisServer.start

class RedisStoreTest < CourierChannelCase
  def setup
    super
    @redis = Redis.new(host: "127.0.0.1", port: REDIS_PORT)
    @redis.flushdb
    use_store(CableCourier::RedisStore.new(redis: @redis, keep: 3, lane_ttl: 60, lease: 1))
  end

  def test_channel_rules_hold_on_the_redis_store
    courier_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    subscription.receive(reflex("CounterReflex#increment", "rx", seq: 1))
    assert_equal %w[received committed committed], acks("r1").map { |a| a["ack"] }
    assert_equal true, acks("r1").last["replay"]
    assert_equal ["conflict"], acks("rx").map { |a| a["ack"] }
    assert_equal 1, Note.count
    assert_equal 1, CableCourier.store.last("alice", "tab-1")
    assert_equal 0, CableCourier.store.last("mallory", "tab-1")
  end

  def test_one_key_per_lane_with_a_ttl_and_no_user_id_in_it
    courier_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    keys = @redis.keys("*")
    assert_equal 1, keys.size
    refute_includes keys.first, "alice"
    assert_operator @redis.pttl(keys.first), :>, 0
    assert_operator @redis.pttl(keys.first), :<=, 60_000
  end

  # Redis deletes a lane nobody touched for lane_ttl by itself; each touch starts the TTL again.
  def test_an_unseen_lane_expires_and_a_seen_one_lives_on
    use_store(CableCourier::RedisStore.new(redis: @redis, keep: 3, lane_ttl: 1.0, lease: 1))
    courier_subscribe("alice", "live")
    subscription.receive(reflex("CounterReflex#quiet", "l1", seq: 1, client_id: "live"))
    courier_subscribe("alice", "gone")
    subscription.receive(reflex("CounterReflex#quiet", "g1", seq: 1, client_id: "gone"))
    gone = CableCourier.store.key("alice", "gone")
    live = CableCourier.store.key("alice", "live")
    wait_until { @redis.pttl(live) < 500 }
    courier_subscribe("alice", "live") # the live client comes back: its lane's TTL starts again
    subscription.receive(reflex("CounterReflex#quiet", "l2", seq: 2, client_id: "live"))
    wait_until { !@redis.exists?(gone) }
    assert_equal 0, CableCourier.store.last("alice", "gone")
    assert_equal 2, CableCourier.store.last("alice", "live")
    assert_equal [live], @redis.keys("*")
  end

  def test_results_beyond_the_window_are_pruned
    courier_subscribe
    (1..5).each { |seq| subscription.receive(reflex("CounterReflex#quiet", "r#{seq}", seq: seq)) }
    subscription.receive(reflex("CounterReflex#quiet", "r1", seq: 1))
    assert_equal ["committed", true], acks("r1").last.values_at("ack", "pruned")
    subscription.receive(reflex("CounterReflex#quiet", "r5", seq: 5))
    assert_equal true, acks("r5").last["replay"]
  end

  # The two-state value: a claim that never finished is not a commit, so the retry runs the reflex.
  def test_a_crash_between_claim_and_finish_is_not_taken_for_a_duplicate
    store = CableCourier.store
    store.within("alice", "tab-1", 1, "r1") { |lane| assert_equal 0, lane.last } # claimed, never finished
    store.within("alice", "tab-1", 1, "r1") { |lane| assert lane.busy?, "a live lease keeps the lane" }
    @redis.hset(store.key("alice", "tab-1"), "running", "0:dead") # the lease has run out
    courier_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    assert_equal %w[received committed], acks("r1").map { |a| a["ack"] }
    assert_equal 1, Note.count
  end
end
