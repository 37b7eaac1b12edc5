// Issue 10 item 5: a server that never welcomes (or never confirms) must not leave the page `connecting`
// for ever; a welcome with a malformed but harmless field is taken, as stock ActionCable takes it.
import { describe, expect, test, vi } from "vitest";
import { FakeWebSocket } from "../../../src/transport/testing";
import { startedTransports } from "./harness";

const started = startedTransports();

/** Keeps a socket alive with pings (so it never goes stale) without ever welcoming it. */
function pingFor(socket: FakeWebSocket, ms: number): Promise<void> {
  const ping = () => socket.receive({ type: "ping", message: Math.floor(Date.now() / 1000) });
  const handle = setInterval(ping, 1000);
  return vi.advanceTimersByTimeAsync(ms).then(() => clearInterval(handle));
}

describe("welcomeTimeout", () => {
  test("a socket that pings but never welcomes is given up after welcomeTimeout, and the next one connects", async () => {
    const { transport, record } = started({ welcomeTimeout: 2000, staleAfter: 6500 });
    const first = FakeWebSocket.last;
    first.accept();
    await pingFor(first, 1900);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(transport.state).toBe("connecting");
    await pingFor(first, 300);
    expect(record.logs.some((l) => l.message.includes("no welcome and confirmation within 2000 ms"))).toBe(true);
    await vi.advanceTimersByTimeAsync(200); // first backoff ≤ reconnectBase
    expect(FakeWebSocket.instances.length).toBeGreaterThanOrEqual(2);
    FakeWebSocket.last.handshake();
    expect(transport.state).toBe("connected");
  });

  test("a welcome without a confirmation is given up as well", async () => {
    const { transport } = started({ welcomeTimeout: 2000 });
    FakeWebSocket.last.accept();
    FakeWebSocket.last.receive({ type: "welcome" });
    await pingFor(FakeWebSocket.last, 2500);
    expect(FakeWebSocket.instances.length).toBeGreaterThanOrEqual(2);
    FakeWebSocket.last.handshake();
    expect(transport.state).toBe("connected");
  });

  test("the default is 5 s, and a confirmed subscription is never cut by it", async () => {
    const { transport } = started();
    FakeWebSocket.last.accept();
    await pingFor(FakeWebSocket.last, 4900);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await pingFor(FakeWebSocket.last, 400);
    expect(FakeWebSocket.instances.length).toBeGreaterThanOrEqual(2);
    FakeWebSocket.last.handshake();
    const count = FakeWebSocket.instances.length;
    await pingFor(FakeWebSocket.last, 20_000);
    expect(transport.state).toBe("connected");
    expect(FakeWebSocket.instances).toHaveLength(count);
  });

  test('a welcome with "sid": 5 is tolerated: the page connects, nothing is reported', async () => {
    const { transport, record } = started();
    const socket = FakeWebSocket.last;
    socket.accept();
    socket.receive({ type: "welcome", sid: 5 });
    socket.confirmAll();
    expect(transport.state).toBe("connected");
    expect(record.errors).toEqual([]);
  });
});
