import { describe, expect, test, vi } from "vitest";
import { jitteredBackoff } from "../../../src/transport";
import { FakeWebSocket } from "../../../src/transport/testing";
import { failRepeatedly, startedTransports } from "./harness";

const started = startedTransports();

describe("jitteredBackoff", () => {
  test("doubles from base, capped at max; jitter only shortens, by at most half", () => {
    const top = jitteredBackoff(50, 3000, () => 0);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50, 5000].map(top)).toEqual([50, 100, 200, 400, 800, 1600, 3000, 3000, 3000, 3000]);
    const bottom = jitteredBackoff(50, 3000, () => 0.999999);
    expect([1, 2, 7, 20].map(bottom)).toEqual([25, 50, 1500, 1500]);
  });

  test("clients dropped together spread out", () => {
    const delays = Array.from({ length: 200 }, () => jitteredBackoff(50, 3000)(10));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1500);
    expect(Math.max(...delays)).toBeLessThanOrEqual(3000);
    expect(new Set(delays).size).toBeGreaterThan(50);
  });
});

describe("reconnect", () => {
  test("backoff grows from reconnectBase, doubling, up to reconnectMax", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    started();
    const gaps = await failRepeatedly(9);
    expect(gaps).toEqual([50, 100, 200, 400, 800, 1600, 3000, 3000, 3000]);
  });

  test("the backoff is jittered", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    started();
    expect(await failRepeatedly(3)).toEqual([38, 75, 150]);
  });

  test("an injected strategy decides the delays", async () => {
    const strategy = vi.fn((attempt: number) => attempt * 10);
    started({ strategy });
    expect(await failRepeatedly(3)).toEqual([10, 20, 30]);
    expect(strategy.mock.calls.map(([n]) => n)).toEqual([1, 2, 3]);
  });

  test("a confirmed subscription starts the backoff over", async () => {
    started({ strategy: (n) => n * 100 });
    await failRepeatedly(3);
    FakeWebSocket.last.handshake();
    expect(await failRepeatedly(1)).toEqual([100]);
  });

  test.each([
    ["online", () => window.dispatchEvent(new Event("online"))],
    ["pageshow", () => window.dispatchEvent(new Event("pageshow"))],
    ["visibilitychange to visible", () => document.dispatchEvent(new Event("visibilitychange"))],
  ])("%s tries at once instead of waiting out the backoff", async (_what, fire) => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    started();
    await failRepeatedly(8); // the next delay would be 3000 ms
    FakeWebSocket.last.drop();
    const count = FakeWebSocket.instances.length;
    await vi.advanceTimersByTimeAsync(10);
    expect(FakeWebSocket.instances).toHaveLength(count);
    fire();
    expect(FakeWebSocket.instances).toHaveLength(count + 1);
    FakeWebSocket.last.handshake();
    expect(FakeWebSocket.instances).toHaveLength(count + 1);
  });

  test("visibilitychange to hidden does nothing", async () => {
    started({ strategy: () => 3000 });
    FakeWebSocket.last.drop();
    vi.spyOn(document, "visibilityState", "get").mockReturnValue("hidden");
    document.dispatchEvent(new Event("visibilitychange"));
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});

describe("liveness", () => {
  test("a socket that says nothing for staleAfter is abandoned without waiting for its close", async () => {
    const { transport, record } = started();
    const socket = FakeWebSocket.last;
    socket.handshake();
    await vi.advanceTimersByTimeAsync(6499);
    expect(transport.state).toBe("connected");
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.state).toBe("disconnected");
    expect(record.events.slice(-2)).toEqual(["unsubscribed", "state:disconnected"]);
    expect(socket.closeCalls).toBe(1);
    expect(socket.readyState).toBe(FakeWebSocket.CLOSING); // the frozen server never finished the close
    expect(transport.send({})).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.handshake();
    expect(transport.state).toBe("connected");
  });

  test("pings every 3 s keep a socket alive", async () => {
    const { transport } = started();
    FakeWebSocket.last.handshake();
    for (let i = 0; i < 20; i++) {
      await vi.advanceTimersByTimeAsync(3000);
      FakeWebSocket.last.receive({ type: "ping", message: Math.floor(Date.now() / 1000) });
    }
    expect(transport.state).toBe("connected");
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  test("a server frozen right after a ping is noticed within staleAfter of that ping", async () => {
    const { transport } = started({ staleAfter: 6500 });
    FakeWebSocket.last.handshake();
    await vi.advanceTimersByTimeAsync(3000);
    FakeWebSocket.last.receive({ type: "ping", message: 1 });
    const frozenAt = Date.now();
    while (transport.state === "connected") await vi.advanceTimersByTimeAsync(10);
    expect(Date.now() - frozenAt).toBeLessThanOrEqual(6500);
    expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(6490);
  });

  test("an attempt that never opens is abandoned after staleAfter and retried", async () => {
    const { transport } = started({ staleAfter: 2000 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(transport.state).toBe("disconnected");
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeWebSocket.instances).toHaveLength(2);
    // The stuck socket is closed only once it opens (Safari 15 closes connecting sockets badly).
    expect(FakeWebSocket.instances[0]!.closeCalls).toBe(0);
    FakeWebSocket.instances[0]!.accept();
    expect(FakeWebSocket.instances[0]!.closeCalls).toBe(1);
  });

  test("send notices a stale socket even when timers lag", async () => {
    const { transport } = started();
    FakeWebSocket.last.handshake();
    vi.setSystemTime(Date.now() + 10_000); // a throttled background tab: the clock moved, timers did not
    expect(transport.state).toBe("connected");
    expect(transport.send({ a: 1 })).toBe(false);
    expect(transport.state).toBe("disconnected");
  });
});

describe("offline", () => {
  test("offline event abandons the socket and shows offline; online reconnects at once", async () => {
    const onLine = vi.spyOn(navigator, "onLine", "get").mockReturnValue(true);
    const { transport, record } = started({ strategy: () => 3000 });
    FakeWebSocket.last.handshake();
    onLine.mockReturnValue(false);
    window.dispatchEvent(new Event("offline"));
    expect(transport.state).toBe("offline");
    expect(transport.subscribed).toBe(false);
    onLine.mockReturnValue(true);
    window.dispatchEvent(new Event("online"));
    expect(transport.state).toBe("disconnected");
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.handshake();
    expect(record.states).toEqual([
      ["connected", "connecting"],
      ["offline", "connected"],
      ["disconnected", "offline"],
      ["connected", "disconnected"],
    ]);
  });

  test("starting while the browser is offline says offline", () => {
    vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    const { transport } = started();
    expect(transport.state).toBe("offline");
    FakeWebSocket.last.drop();
    expect(transport.state).toBe("offline");
  });
});
