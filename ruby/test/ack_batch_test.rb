# frozen_string_literal: true

require_relative "test_helper"

# Batched acknowledgements (docs/PROTOCOL.md §3): the shapes of a batch, and the rule that a worker's
# acks leave as one message before the job returns, ahead of any later message of the channel.
class AckBatchShapeTest < Minitest::Test
  def ack(kind, id, seq, client_id = "c", **extra) = { "v" => 1, "ack" => kind, "id" => id, "clientId" => client_id, "seq" => seq, **extra }

  def test_consecutive_received_of_one_client_become_a_run_at_the_place_of_its_first_member
    acks = [ack("received", "r3", 3), ack("committed", "r3", 3, "operations" => []), ack("received", "r4", 4),
            ack("received", "r5", 5), ack("failed", "r4", 4, "error" => "x")]
    assert_equal [
      { "ack" => "received", "clientId" => "c", "seq" => 3, "through" => 5, "ids" => %w[r3 r4 r5] },
      { "ack" => "committed", "id" => "r3", "clientId" => "c", "seq" => 3, "operations" => [] },
      { "ack" => "failed", "id" => "r4", "clientId" => "c", "seq" => 4, "error" => "x" },
    ], CableCourier::AckBatch.entries(acks)
  end

  def test_a_run_is_one_client_and_unbroken_and_a_run_of_one_is_a_plain_ack
    acks = [ack("received", "a1", 1, "a"), ack("received", "b1", 1, "b"), ack("received", "a3", 3, "a")]
    assert_equal [
      { "ack" => "received", "id" => "a1", "clientId" => "a", "seq" => 1 },
      { "ack" => "received", "id" => "b1", "clientId" => "b", "seq" => 1 },
      { "ack" => "received", "id" => "a3", "clientId" => "a", "seq" => 3 },
    ], CableCourier::AckBatch.entries(acks)
  end

  def test_one_ack_alone_is_sent_as_without_batching
    assert_equal({ "courier" => ack("received", "r1", 1) }, CableCourier::AckBatch.message([ack("received", "r1", 1)]))
  end

  def test_a_message_carries_at_most_a_chunk_of_acks
    sent = []
    batch = CableCourier::AckBatch.new { |message| sent << message }
    (CableCourier::AckBatch::CHUNK + 1).times { |i| batch.add(ack("failed", "r#{i + 1}", i + 1, "error" => "x")) }
    assert_equal [CableCourier::AckBatch::CHUNK], sent.map { |m| m["courier"]["batch"].size }
    batch.flush
    assert_equal ["r#{CableCourier::AckBatch::CHUNK + 1}"], [sent.last["courier"]["id"]]
  end
end

class AckBatchChannelTest < CourierChannelCase
  def batching_subscribe = courier_subscribe("alice", "tab-1", courierAcks: "batch")

  # What the subscription transmitted after its hello.
  def after_hello = transmissions.drop(1)

  def test_a_reflex_is_answered_in_one_message_before_the_worker_returns
    batching_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    assert_equal 1, after_hello.size, "received and committed travel together"
    entries = after_hello.first["courier"]["batch"]
    assert_equal [%w[received r1 tab-1 1], %w[committed r1 tab-1 1]], entries.map { |e| e.values_at("ack", "id", "clientId", "seq").map(&:to_s) }
    assert_equal ["#count", "1", "r1"], entries.last["operations"].first.values_at("selector", "html", "reflexId")
    refute after_hello.first["courier"].key?("id")
    assert_equal 1, Note.count
  end

  def test_without_the_param_every_ack_is_its_own_message
    courier_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    assert_equal %w[received committed], after_hello.map { |m| m["courier"]["ack"] }
  end

  def test_a_duplicate_is_answered_alone_from_the_store
    batching_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    assert_equal ["committed", true], after_hello.last["courier"].values_at("ack", "replay")
    assert_equal 1, Note.count
  end

  # Acks waiting for the end of the job were made first: any other message of the channel (a broadcast
  # relayed from the stream, another reflex's refusal) goes after them.
  def test_waiting_acks_go_out_before_any_later_message_of_the_channel
    batching_subscribe
    subscription.send(:courier_ack, reflex("CounterReflex#increment", "r1", seq: 1), { "ack" => "received" })
    assert_equal [], after_hello, "waits for the end of the tick"
    subscription.send(:transmit, { "cableReady" => true, "operations" => [] })
    assert_equal [%w[received r1], [nil, nil]], after_hello.map { |m| [m.dig("courier", "ack"), m.dig("courier", "id")] }
  end

  # A held reflex looking again makes no ack: flushing then would split another worker's reflex, whose
  # received would leave without its committed.
  def test_a_job_that_makes_no_ack_leaves_the_waiting_acks_to_the_job_that_made_them
    CableCourier.hold = 10
    CableCourier.retry_after = 10
    # A lane no other test uses: the held reflex looks again after this test has ended.
    courier_subscribe("held-user", "held-tab", courierAcks: "batch")
    Thread.new { subscription.send(:courier_ack, reflex("CounterReflex#increment", "r1", seq: 1, client_id: "held-tab"), { "ack" => "received" }) }.join
    subscription.receive(reflex("CounterReflex#increment", "r3", seq: 3, client_id: "held-tab")) # ahead: held, no ack
    assert_equal [], after_hello
  end

  # A refusal may name a seq the client refuses (0, -1); inside a batch it would spoil the acks beside it.
  def test_a_refusal_goes_alone
    batching_subscribe
    subscription.send(:courier_ack, reflex("CounterReflex#increment", "r1", seq: 1), { "ack" => "received" }) # another worker's
    subscription.receive(reflex("CounterReflex#increment", "r2", seq: 1).merge("courier" => { "v" => 1, "clientId" => "tab-1", "seq" => -1 }))
    assert_equal [%w[received r1 1], %w[failed r2 -1]], after_hello.map { |m| m["courier"].values_at("ack", "id", "seq").map(&:to_s) }
  end

  def test_held_seqs_run_once_each_in_order_and_each_look_flushes_its_own_acks
    CableCourier.hold = 10
    batching_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r2", seq: 2))
    subscription.receive(reflex("CounterReflex#increment", "r3", seq: 3))
    assert_empty after_hello, "2 and 3 wait for 1"
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    wait_until(15) { acks.count { |a| a["ack"] == "committed" } == 3 }
    assert_equal [1, 2, 3], acks.select { |a| a["ack"] == "committed" }.map { |a| a["seq"] }
    assert_equal %w[1 2 3], acks.select { |a| a["ack"] == "committed" }.map { |a| a["operations"].first["html"] }
    assert_equal [1, 2, 3], acks.select { |a| a["ack"] == "received" }.map { |a| a["seq"] }
    assert_equal 3, Note.count
  end
end
