# frozen_string_literal: true

require_relative "test_helper"

class ChannelTest < CourierChannelCase
  def test_hello_names_committed_seq_and_an_identity_that_is_not_the_id
    courier_subscribe
    hello = transmissions.first["courier"]
    assert_equal true, hello["hello"]
    assert_equal({ "tab-1" => 0 }, hello["committed"])
    assert_match(/\A\h{64}\z/, hello["identity"])
    refute_includes hello["identity"], "alice"
    assert_equal CableCourier.identity("alice"), hello["identity"]
  end

  # `committed` follows `received` at once: with Nagle on, it would wait for the client's delayed ACK.
  def test_a_courier_subscription_turns_nagle_off_on_its_socket
    server = TCPServer.new("127.0.0.1", 0)
    client = TCPSocket.new("127.0.0.1", server.addr[1])
    socket = server.accept
    connect_as("alice").env["rack.hijack_io"] = socket
    refute socket.getsockopt(Socket::IPPROTO_TCP, Socket::TCP_NODELAY).bool
    subscribe(channel: "StimulusReflex::Channel", courier: 1, clientId: "tab-1")
    assert socket.getsockopt(Socket::IPPROTO_TCP, Socket::TCP_NODELAY).bool
  ensure
    [client, socket, server].each { |s| s&.close }
  end

  def test_no_hello_without_courier_param
    connect_as("alice")
    subscribe(channel: "StimulusReflex::Channel")
    assert_empty transmissions.filter_map { |m| m["courier"] }
  end

  def test_stamped_reflex_is_received_then_committed_with_its_operations_and_not_broadcast
    courier_subscribe
    perform_broadcasts = capture_broadcasts(subscription.stream_name) do
      subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    end
    assert_equal %w[received committed], acks("r1").map { |a| a["ack"] }
    op = acks("r1").last["operations"].first
    assert_equal ["#count", "1", "r1"], op.values_at("selector", "html", "reflexId")
    assert_empty perform_broadcasts, "operations must travel in committed, not in a broadcast"
    assert_equal 1, Note.count
    assert_equal 1, CableCourier.store.last("alice", "tab-1")
  end

  def test_duplicate_is_answered_from_the_store_with_replay_and_not_run_again
    courier_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    replay = acks("r1").last
    assert_equal ["committed", true, "1"], [replay["ack"], replay["replay"], replay["operations"].first["html"]]
    assert_equal 1, Note.count
  end

  def test_same_seq_with_another_id_is_a_conflict
    courier_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    subscription.receive(reflex("CounterReflex#increment", "r2", seq: 1))
    assert_equal ["conflict"], acks("r2").map { |a| a["ack"] }
    assert_equal 1, Note.count
  end

  def test_exception_becomes_failed_with_stimulus_reflex_message_and_rolls_back_its_writes
    courier_subscribe
    subscription.receive(reflex("CounterReflex#explode", "r1", seq: 1))
    failed = acks("r1").last
    assert_equal "failed", failed["ack"]
    assert_includes failed["error"], "kaboom"
    assert_equal 0, Note.count
    assert_equal 1, CableCourier.store.last("alice", "tab-1")
    subscription.receive(reflex("CounterReflex#explode", "r1", seq: 1))
    assert_equal ["failed", true], acks("r1").last.values_at("ack", "replay")
  end

  def test_halted_and_nothing_keep_their_stimulus_reflex_meaning
    courier_subscribe
    subscription.receive(reflex("CounterReflex#stop", "r1", seq: 1))
    subscription.receive(reflex("CounterReflex#quiet", "r2", seq: 2))
    assert_equal "stimulus-reflex:morph-halted", acks("r1").last["operations"].first["name"]
    assert_equal "stimulus-reflex:morph-nothing", acks("r2").last["operations"].first["name"]
    assert_equal "committed", acks("r2").last["ack"]
  end

  def test_out_of_order_seqs_run_in_seq_order_without_blocking_the_caller
    CableCourier.hold = 10 # a slow first reflex on a busy machine must not turn seq 2 into a gap
    courier_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r2", seq: 2))
    assert_empty acks("r2"), "seq 2 must wait for seq 1"
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    wait_until(15) { acks("r2").any? { |a| a["ack"] == "committed" } }
    assert_equal "2", acks("r2").last["operations"].first["html"]
    assert_equal "1", acks("r1").last["operations"].first["html"]
  end

  # The seq before is answered on this connection: the held one runs then, not when its timer comes.
  def test_a_held_reflex_runs_as_soon_as_the_seq_before_it_is_answered
    CableCourier.hold = 30
    CableCourier.retry_after = 10
    courier_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r2", seq: 2))
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    wait_until(20) { acks("r2").any? { |a| a["ack"] == "committed" } }
    assert_operator Process.clock_gettime(Process::CLOCK_MONOTONIC) - started, :<, 5, "woken, not polled after 10 s"
    assert_equal "2", acks("r2").last["operations"].first["html"]
  end

  def test_gap_after_the_hold
    courier_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r3", seq: 3))
    wait_until { acks("r3").any? }
    assert_equal [["gap", 1]], acks("r3").map { |a| a.values_at("ack", "expected") }
    assert_equal 0, Note.count
  end

  def test_held_reflexes_are_bounded_per_process
    courier_subscribe
    CableCourier.held.value = CableCourier::MAX_HELD # as if peers had parked that many already
    subscription.receive(reflex("CounterReflex#increment", "r3", seq: 3))
    assert_equal [["gap", 1]], acks("r3").map { |a| a.values_at("ack", "expected") }, "answered at once, not parked"
  ensure
    CableCourier.held.value = 0
  end

  def test_tombstone_consumes_its_seq
    courier_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1, "void" => true))
    assert_equal [%w[failed expired]], acks("r1").select { |a| a["ack"] == "failed" }.map { |a| a.values_at("ack", "error") }
    assert_equal 0, Note.count
    assert_equal 1, CableCourier.store.last("alice", "tab-1")
  end

  def test_malformed_stamp_is_refused_and_consumes_nothing
    courier_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1).merge("courier" => { "v" => 1, "clientId" => "tab-1", "seq" => -1 }))
    assert_equal "failed", acks("r1").last["ack"]
    assert_equal 0, CableCourier.store.last("alice", "tab-1")
  end

  def test_another_user_with_the_same_client_id_has_its_own_lane
    courier_subscribe
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    courier_subscribe("mallory")
    assert_equal({ "tab-1" => 0 }, transmissions.filter_map { |m| m["courier"] }.find { |c| c["hello"] }["committed"])
    subscription.receive(reflex("CounterReflex#increment", "r1", seq: 1))
    refute acks("r1").last["replay"], "mallory must not read alice's stored result"
    assert_equal 2, Note.count
  end

  def test_unstamped_reflex_runs_exactly_as_before
    connect_as("alice")
    subscribe(channel: "StimulusReflex::Channel")
    sent = capture_broadcasts(subscription.stream_name) { subscription.receive(reflex("CounterReflex#increment", "p1")) }
    assert_equal 1, sent.size
    assert_equal ["#count", "p1"], sent.first["operations"].first.values_at("selector", "reflexId")
    assert_empty acks
  end
end
