// What the transport tells the outbox about sockets that never got confirmed, and how a changed
// clientId reaches the server: a new subscription on the next socket.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { identifierFor } from "../../../src/protocol/validate";
import { FakeWebSocket } from "../../../src/transport/testing";
import { fakeCable, makeTransport, params } from "./harness";

let cleanup: () => void;
beforeEach(() => {
  cleanup = fakeCable();
});
afterEach(() => cleanup());

describe("a socket lost before its subscription was confirmed", () => {
  test("is reported through socketLost, so a hello it carried does not outlive it", async () => {
    const { transport, record } = makeTransport();
    const lost = () => record.events.filter((e) => e === "socketLost");
    transport.start();
    FakeWebSocket.last.accept();
    FakeWebSocket.last.receive({ type: "welcome" });
    FakeWebSocket.last.receive({ identifier: identifierFor(params), message: { courier: { v: 1, hello: true, committed: {} } } });
    FakeWebSocket.last.drop();
    expect(lost()).toHaveLength(1);
    expect(record.events).not.toContain("unsubscribed");

    await vi.advanceTimersByTimeAsync(100);
    FakeWebSocket.last.handshake();
    FakeWebSocket.last.drop();
    expect(record.events.filter((e) => e === "unsubscribed")).toHaveLength(1);
    expect(lost()).toHaveLength(1); // a confirmed socket's loss is `unsubscribed`, not both
    transport.stop();
  });
});

describe("subscription params given as a function", () => {
  test("are read again before a reconnect: a changed clientId subscribes anew", async () => {
    let clientId = "client-1";
    const { transport } = makeTransport({ params: () => ({ ...params, clientId }) });
    transport.start();
    FakeWebSocket.last.handshake();
    expect(FakeWebSocket.last.commands()).toContainEqual({ command: "subscribe", identifier: identifierFor({ ...params, clientId: "client-1" }) });

    clientId = "client-2";
    FakeWebSocket.last.drop();
    await vi.advanceTimersByTimeAsync(100);
    FakeWebSocket.last.handshake();
    const subscribes = FakeWebSocket.last.commands().filter((c) => c.command === "subscribe");
    expect(subscribes).toEqual([{ command: "subscribe", identifier: identifierFor({ ...params, clientId: "client-2" }) }]);
    expect(transport.state).toBe("connected");
    expect(transport.send({ hi: 1 })).toBe(true);
    transport.stop();
  });
});
