import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { ProtocolError } from "../../../src/protocol/validate";
import { adapters, createConsumer } from "@rails/actioncable";
import { installGuard } from "../../../src/transport/guard";
import { Transport } from "../../../src/transport";
import { FakeWebSocket } from "../../../src/transport/testing";
import { fakeCable, identifier, makeTransport, params } from "./harness";

let cleanup: () => void;
let stopAll: Array<() => void> = [];
beforeEach(() => {
  cleanup = fakeCable();
});
afterEach(() => {
  for (const stop of stopAll) stop();
  stopAll = [];
  cleanup();
});

function started(options: Parameters<typeof makeTransport>[0] = {}) {
  const made = makeTransport(options);
  made.transport.start();
  stopAll.push(() => made.transport.stop());
  return made;
}

describe("Transport states", () => {
  test("connecting → connected → disconnected → connected, with subscribed/unsubscribed in step", async () => {
    const { transport, record } = started();
    expect(transport.state).toBe("connecting");
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(FakeWebSocket.last.url).toBe("ws://127.0.0.1:9/cable");

    FakeWebSocket.last.handshake();
    expect(transport.state).toBe("connected");
    expect(transport.subscribed).toBe(true);
    expect(FakeWebSocket.last.commands()).toContainEqual({ command: "subscribe", identifier });

    FakeWebSocket.last.drop();
    expect(transport.state).toBe("disconnected");
    expect(transport.subscribed).toBe(false);

    await vi.advanceTimersByTimeAsync(100); // first backoff is at most reconnectBase (50 ms)
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.handshake();

    expect(record.states).toEqual([
      ["connected", "connecting"],
      ["disconnected", "connected"],
      ["connected", "disconnected"],
    ]);
    expect(record.events).toEqual([
      "state:connected",
      "subscribed",
      "unsubscribed",
      "state:disconnected",
      "state:connected",
      "subscribed",
    ]);
  });

  test("a first attempt that fails before opening resolves connecting to disconnected", () => {
    const { transport, record } = started();
    FakeWebSocket.last.drop();
    expect(transport.state).toBe("disconnected");
    expect(record.events).toEqual(["socketLost", "state:disconnected"]);
  });

  test("start and stop are idempotent; stop closes our own consumer's socket", () => {
    const { transport, record } = started();
    transport.start();
    expect(FakeWebSocket.instances).toHaveLength(1);
    FakeWebSocket.last.handshake();
    transport.stop();
    transport.stop();
    expect(transport.state).toBe("disconnected");
    expect(FakeWebSocket.last.closeCalls).toBe(1);
    expect(record.events).toEqual(["state:connected", "subscribed", "unsubscribed", "state:disconnected"]);
  });

  test("a throwing delegate does not break the socket handling", () => {
    const boom = () => {
      throw new Error("app bug");
    };
    const logs: string[] = [];
    const transport = new Transport(
      { url: "ws://127.0.0.1:9/cable", params, logger: { enabled: true, log: (level, message) => void logs.push(`${level}:${message}`) } },
      { stateChanged: boom, subscribed: boom, unsubscribed: boom, received: boom, protocolError: boom },
    );
    transport.start();
    stopAll.push(() => transport.stop());
    expect(() => FakeWebSocket.last.handshake()).not.toThrow();
    expect(transport.subscribed).toBe(true);
    expect(transport.state).toBe("connected");
    expect(() => FakeWebSocket.last.receive({ identifier, message: { x: 1 } })).not.toThrow();
    expect(() => FakeWebSocket.last.receive("{bad")).not.toThrow();
    expect(logs).toContain("error:received threw");
    expect(transport.send({ still: "works" })).toBe(true);
  });
});

describe("a shared consumer", () => {
  function shared() {
    const consumer = createConsumer("ws://127.0.0.1:9/cable");
    const app: string[] = [];
    consumer.subscriptions.create("Turbo::StreamsChannel", {
      connected: () => void app.push("connected"),
      disconnected: () => void app.push("disconnected"),
    });
    const made = started({ consumer, staleAfter: 2000 });
    stopAll.push(() => consumer.disconnect());
    return { consumer, app, ...made };
  }

  test("rides the consumer's one socket; stop leaves it open for its owner", () => {
    const { transport, app } = shared();
    expect(FakeWebSocket.instances).toHaveLength(1);
    FakeWebSocket.last.handshake();
    expect(app).toEqual(["connected"]);
    expect(transport.state).toBe("connected");
    transport.stop();
    expect(FakeWebSocket.last.closeCalls).toBe(0);
    expect(FakeWebSocket.last.commands()).toContainEqual({ command: "unsubscribe", identifier });
  });

  test("a stale shared socket is reported to every subscriber and reopened through the consumer", async () => {
    installGuard(adapters); // cable-courier loaded before the app connected its consumer
    const { transport, app } = shared();
    FakeWebSocket.last.handshake();
    await vi.advanceTimersByTimeAsync(2000);
    expect(transport.state).toBe("disconnected");
    expect(app).toEqual(["connected", "disconnected"]);
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.handshake();
    expect(app).toEqual(["connected", "disconnected", "connected"]);
    expect(transport.state).toBe("connected");
  });

  test("a socket opened before the guard was installed: still abandoned when stale, and reopened guarded", async () => {
    const { transport, app } = shared();
    const first = FakeWebSocket.last;
    first.handshake();
    await vi.advanceTimersByTimeAsync(2000);
    expect(transport.state).toBe("disconnected");
    expect(first.closeCalls).toBe(1);
    expect(app).toEqual(["connected"]); // the weaker guarantee: ActionCable waits for a close that never comes
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.handshake();
    expect(transport.state).toBe("connected");
    expect(app).toEqual(["connected", "connected"]);
  });
});

describe("Transport send and receive", () => {
  test("send is false until subscribed, true while subscribed, false once the socket is gone", () => {
    const { transport } = started();
    expect(transport.send({ target: "A#b" })).toBe(false);
    FakeWebSocket.last.accept();
    FakeWebSocket.last.receive({ type: "welcome" });
    expect(transport.send({ target: "A#b" })).toBe(false); // not confirmed yet
    FakeWebSocket.last.confirmAll();
    expect(transport.send({ target: "A#b" })).toBe(true);
    const message = FakeWebSocket.last.commands().find((c) => c.command === "message");
    expect(message).toEqual({ command: "message", identifier, data: JSON.stringify({ target: "A#b" }) });
    FakeWebSocket.last.drop();
    expect(transport.send({ target: "A#b" })).toBe(false);
  });

  test("our channel's messages reach the delegate", () => {
    const { record } = started();
    FakeWebSocket.last.handshake();
    FakeWebSocket.last.receive({ identifier, message: { cableReady: true, operations: [] } });
    FakeWebSocket.last.receive({ identifier: '{"channel":"Other"}', message: { not: "ours" } });
    expect(record.received).toEqual([{ cableReady: true, operations: [] }]);
  });

  test("malformed frames are reported and dropped; the connection carries on", () => {
    const { transport, record } = started();
    FakeWebSocket.last.handshake();
    expect(() => {
      FakeWebSocket.last.receive("{not json");
      FakeWebSocket.last.receive('{"type":"confirm_subscription"}');
      FakeWebSocket.last.receive("[1,2,3]");
    }).not.toThrow();
    expect(record.errors.map((e) => e.raw)).toEqual(["{not json", '{"type":"confirm_subscription"}', "[1,2,3]"]);
    expect(record.errors.every((e) => e.error instanceof ProtocolError)).toBe(true);
    expect(transport.state).toBe("connected");
    FakeWebSocket.last.receive({ identifier, message: { after: true } });
    expect(record.received).toEqual([{ after: true }]);
    expect(transport.send({ still: "works" })).toBe(true);
  });

  test("a server disconnect with reconnect:false stops reconnecting and says why", async () => {
    const { transport, record } = started();
    FakeWebSocket.last.handshake();
    FakeWebSocket.last.receive({ type: "disconnect", reason: "unauthorized", reconnect: false });
    expect(transport.state).toBe("refused");
    expect(transport.lastDisconnect).toEqual({ reason: "unauthorized", reconnect: false });
    expect(record.logs.some((l) => l.level === "warn" && l.message.includes("unauthorized"))).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    window.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(record.events.filter((e) => e === "unsubscribed")).toHaveLength(1);
  });

  test("a server disconnect with reconnect:true reconnects at once", async () => {
    const { transport } = started();
    FakeWebSocket.last.handshake();
    FakeWebSocket.last.receive({ type: "disconnect", reason: "server_restart", reconnect: true });
    expect(transport.state).toBe("disconnected");
    expect(transport.lastDisconnect).toEqual({ reason: "server_restart", reconnect: true });
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.handshake();
    expect(transport.state).toBe("connected");
  });

  test("a server without the actioncable-v1-json subprotocol is not retried", async () => {
    const { transport } = started();
    FakeWebSocket.last.accept("actioncable-unsupported");
    expect(transport.state).toBe("refused");
    expect(transport.lastDisconnect).toEqual({ reason: "ActionCable stopped reconnecting", reconnect: false });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  test("a rejected subscription is refused, and asked for again when the page wakes", async () => {
    const { transport, record } = started();
    FakeWebSocket.last.accept();
    FakeWebSocket.last.receive({ type: "welcome" });
    FakeWebSocket.last.receive({ type: "reject_subscription", identifier });
    expect(transport.state).toBe("refused");
    expect(transport.subscribed).toBe(false);
    const asked = () => FakeWebSocket.last.commands().filter((c) => c.command === "subscribe").length;
    const before = asked();
    await vi.advanceTimersByTimeAsync(2000);
    expect(asked()).toBe(before);
    window.dispatchEvent(new Event("pageshow"));
    expect(asked()).toBe(before + 1);
    FakeWebSocket.last.receive({ type: "confirm_subscription", identifier });
    expect(transport.state).toBe("connected");
    expect(record.events).toEqual(["state:refused", "state:disconnected", "state:connected", "subscribed"]);
  });
});
