// The guard against stock ActionCable: what goes wrong without it, and that it fixes exactly that.
import { adapters, createConsumer, type Consumer } from "@rails/actioncable";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { GuardedSocket, installGuard, observeSockets, type SocketObserver } from "../../../src/transport/guard";
import { FakeWebSocket } from "../../../src/transport/testing";
import { fakeCable } from "./harness";

let cleanup: () => void;
const consumers: Consumer[] = [];
beforeEach(() => {
  cleanup = fakeCable();
});
afterEach(() => {
  consumers.splice(0).forEach((c) => c.disconnect());
  cleanup();
});

function appConsumer() {
  const consumer = createConsumer("ws://127.0.0.1:9/cable");
  consumers.push(consumer);
  const calls: string[] = [];
  consumer.subscriptions.create("AppChannel", {
    connected: () => void calls.push("connected"),
    disconnected: () => void calls.push("disconnected"),
    received: (data: unknown) => {
      calls.push(`received:${JSON.stringify(data)}`);
      if ((data as { boom?: boolean }).boom) throw new Error("app callback bug");
    },
  });
  FakeWebSocket.last.handshake();
  expect(calls).toEqual(["connected"]);
  return { consumer, calls };
}

function recordingObserver() {
  const seen: string[] = [];
  const observer: SocketObserver = {
    frame: (_s, frame) => void seen.push(`frame:${"type" in frame ? frame.type : "message"}`),
    malformed: (_s, error) => void seen.push(`malformed:${String(error.raw)}`),
    closed: () => void seen.push("closed"),
    failed: (_s, error) => void seen.push(`failed:${(error as Error).message}`),
  };
  const stop = observeSockets(observer);
  return { seen, stop };
}

describe("stock ActionCable, unguarded (what the guard is for)", () => {
  test("a close against a frozen server is never reported, and a bad frame throws out of the handler", () => {
    const { consumer, calls } = appConsumer();
    const socket = FakeWebSocket.last;
    expect(() => socket.receive("{not json")).toThrow(SyntaxError);
    consumer.disconnect();
    expect(socket.readyState).toBe(FakeWebSocket.CLOSING);
    expect(calls).toEqual(["connected"]); // `disconnected` never fires: the server never completes the close
  });
});

describe("GuardedSocket", () => {
  beforeEach(() => installGuard(adapters));

  test("is the adapter ActionCable uses, and ActionCable reads its states", () => {
    const { consumer } = appConsumer();
    expect(adapters.WebSocket).toBe(GuardedSocket);
    expect(Object.keys(GuardedSocket).sort()).toEqual(["CLOSED", "CLOSING", "CONNECTING", "OPEN"]);
    const connection = (consumer as unknown as { connection: { getState(): string; webSocket: unknown } }).connection;
    expect(connection.webSocket).toBeInstanceOf(GuardedSocket);
    expect(connection.getState()).toBe("open");
    installGuard(adapters); // idempotent: does not wrap itself
    expect(adapters.WebSocket).toBe(GuardedSocket);
  });

  test("reports a close to ActionCable at once, without waiting for the server", () => {
    const { consumer, calls } = appConsumer();
    const { seen, stop } = recordingObserver();
    consumer.disconnect();
    stop();
    expect(calls).toEqual(["connected", "disconnected"]);
    expect(FakeWebSocket.last.closeCalls).toBe(1);
    expect(seen).toEqual(["closed"]);
    FakeWebSocket.last.drop(); // the real close arriving later is not reported twice
    expect(calls).toEqual(["connected", "disconnected"]);
  });

  test("drops malformed frames before ActionCable parses them, and records every frame's time", () => {
    const { consumer, calls } = appConsumer();
    const socket = (consumer as unknown as { connection: { webSocket: GuardedSocket } }).connection.webSocket;
    const { seen, stop } = recordingObserver();
    vi.setSystemTime(1_000_000);
    expect(() => FakeWebSocket.last.receive("{not json")).not.toThrow();
    expect(socket.lastFrameAt).toBe(1_000_000);
    vi.setSystemTime(1_000_500);
    FakeWebSocket.last.receive({ type: "ping", message: 1 });
    expect(socket.lastFrameAt).toBe(1_000_500);
    FakeWebSocket.last.receive({ identifier: '{"channel":"AppChannel"}', message: { ok: 1 } });
    stop();
    expect(seen).toEqual(["malformed:{not json", "frame:ping", "frame:message"]);
    expect(calls).toEqual(["connected", 'received:{"ok":1}']);
  });

  test("a subscriber callback that throws does not escape the socket handler", () => {
    const { calls } = appConsumer();
    const { seen, stop } = recordingObserver();
    expect(() => FakeWebSocket.last.receive({ identifier: '{"channel":"AppChannel"}', message: { boom: true } })).not.toThrow();
    stop();
    expect(calls).toContain('received:{"boom":true}');
    expect(seen).toEqual(["frame:message", "failed:app callback bug"]);
  });

  test("a WebSocket that cannot be created closes like a refused one instead of throwing", async () => {
    adapters.WebSocket = class {
      constructor() {
        throw new SyntaxError("bad url");
      }
    } as unknown as typeof WebSocket;
    installGuard(adapters);
    const { seen, stop } = recordingObserver();
    const consumer = createConsumer("ws://127.0.0.1:9/cable");
    consumers.push(consumer);
    expect(() => consumer.connect()).not.toThrow();
    await Promise.resolve();
    stop();
    expect(seen).toEqual(["failed:bad url", "closed"]);
  });
});
