// Issue 9 item 9: `data-cable-pending` is on <html> from the start, and a reflex stimulated before the
// outbox has loaded is counted at once.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, expect, test } from "vitest";
import { Courier } from "../../../src/courier";

let courier: Courier | undefined;
let silent: Server;
beforeEach(async () => {
  // A server that never answers the upgrade: nothing is sent, so the count shows only what was accepted.
  silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
});
afterEach(async () => {
  courier?.stop();
  courier = undefined;
  document.documentElement.removeAttribute("data-cable-pending");
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
});

test("0 before any reflex, and 1 for a reflex stimulated before the outbox loaded", async () => {
  const { port } = silent.address() as AddressInfo;
  courier = new Courier({ url: `ws://127.0.0.1:${port}/cable`, storage: "memory" });
  courier.connect();
  expect(document.documentElement.getAttribute("data-cable-pending")).toBe("0");
  const early = courier.stimulate("Counter#increment");
  early.catch(() => undefined);
  expect(courier.pending).toBe(1);
  expect(document.documentElement.getAttribute("data-cable-pending")).toBe("1");
  await courier.ready;
  expect(courier.pending).toBe(1);
  expect(document.documentElement.getAttribute("data-cable-pending")).toBe("1");
});
