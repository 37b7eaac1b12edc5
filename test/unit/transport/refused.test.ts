import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { resetWarnings } from "../../../src/core/warn";
import { FakeWebSocket } from "../../../src/transport/testing";
import { failRepeatedly, fakeCable, makeTransport } from "./harness";

let cleanup: () => void;
let stops: Array<() => void> = [];
let warn: { mock: { calls: unknown[][] }; mockRestore(): void };
beforeEach(() => {
  cleanup = fakeCable();
  resetWarnings();
  warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => {
  for (const stop of stops) stop();
  stops = [];
  cleanup();
});

function started(url = "ws://127.0.0.1:9/cable") {
  const made = makeTransport({ url, strategy: () => 10 });
  made.transport.start();
  stops.push(() => made.transport.stop());
  return made;
}

describe("handshake failures", () => {
  test("repeated failures to one URL warn once, naming it, even with a silent logger", async () => {
    const { transport } = started("ws://127.0.0.1:9/wrong-path");
    await failRepeatedly(8);
    expect(transport.state).toBe("disconnected");
    const messages = warn.mock.calls.map((call: unknown[]) => String(call[0]));
    expect(messages.filter((m) => m.includes("ws://127.0.0.1:9/wrong-path"))).toHaveLength(1);
    expect(messages).toHaveLength(1);
  });

  test("a failure or two that then connects does not warn", async () => {
    started();
    await failRepeatedly(2);
    FakeWebSocket.last.handshake();
    await failRepeatedly(2);
    FakeWebSocket.last.handshake();
    expect(warn).not.toHaveBeenCalled();
  });

  test("a disconnect with reconnect:false is refused, with the reason kept", () => {
    const { transport, record } = started();
    FakeWebSocket.last.accept();
    FakeWebSocket.last.receive({ type: "disconnect", reason: "unauthorized", reconnect: false });
    expect(transport.state).toBe("refused");
    expect(record.states.at(-1)).toEqual(["refused", "connecting"]);
    expect(transport.lastDisconnect).toEqual({ reason: "unauthorized", reconnect: false });
  });
});
