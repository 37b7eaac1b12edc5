// What a developer sees without `debug`: refusals and unhandled failures are named on the console once.
// The real reference server on 127.0.0.1, happy-dom, real timers; every wait is on a condition.
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { Courier } from "../../../src/courier";
import { resetWarnings } from "../../../src/core/warn";
import { createServer, type CourierServer, type ServerOptions } from "../../../src/server";

let server: CourierServer | undefined;
let courier: Courier | undefined;
let warn: { mock: { calls: unknown[][] }; mockRestore(): void };

async function until(what: string, condition: () => boolean, limit = 10_000): Promise<void> {
  const deadline = Date.now() + limit;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function serve(options: ServerOptions): Promise<CourierServer> {
  server = createServer({ logger: false, ...options });
  await server.listen(0);
  return server;
}

function connect(url: string): Courier {
  courier = new Courier({ url, storage: "memory", disconnectDelay: 0 });
  courier.connect();
  return courier;
}

const warnings = () => warn.mock.calls.map((call: unknown[]) => String(call[0]));

beforeEach(() => {
  resetWarnings();
  warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
});

afterEach(async () => {
  courier?.stop();
  courier = undefined;
  await server?.close();
  server = undefined;
  warn.mockRestore();
});

test("a failed authenticate refuses the page: cable-refused, the reason, one warning naming it and the URL", async () => {
  const s = await serve({ authenticate: () => false });
  const states: Array<{ state: string; disconnect?: { reason: string } }> = [];
  document.addEventListener("courier:state", (e) => states.push((e as CustomEvent).detail));
  const c = connect(s.cableUrl);
  await until("refused", () => c.state === "refused");
  await until("the class", () => document.documentElement.classList.contains("cable-refused"));
  expect(document.documentElement.getAttribute("data-cable-state")).toBe("refused");
  expect(document.documentElement.classList.contains("cable-disconnected")).toBe(false);
  expect(c.lastDisconnect).toEqual({ reason: "unauthorized", reconnect: false });
  expect(states.at(-1)).toMatchObject({ state: "refused", disconnect: { reason: "unauthorized" } });
  const named = warnings().filter((m) => m.includes("unauthorized") && m.includes(s.cableUrl));
  expect(named).toHaveLength(1);
});
