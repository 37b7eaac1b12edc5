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
  server = createServer({ logger: false, allowedOrigins: [location.origin], ...options }); // happy-dom's page is another origin
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

const boom = (name: string) => () => {
  throw new Error(`${name} broke`);
};

test("a failed reflex nobody handles warns once, naming it; a .catch() or a courier:failed listener that reads the detail silences it", async () => {
  const s = await serve({ reflexes: { "Boom#caught": boom("caught"), "Boom#heard": boom("heard"), "Boom#ignored": boom("ignored") } });
  const c = connect(s.cableUrl);
  await until("connected", () => c.state === "connected");
  let failures = 0;
  const count = () => void failures++; // hears the event without reading it: not handling it
  document.addEventListener("courier:failed", count);
  const read = (e: Event) => void (e as CustomEvent<{ reason: string }>).detail.reason;
  try {
    await expect(c.stimulate("Boom#caught")).rejects.toMatchObject({ reason: expect.any(String) });
    document.addEventListener("courier:failed", read);
    c.stimulate("Boom#heard");
    await until("two failures", () => failures === 2);
    document.removeEventListener("courier:failed", read);
    c.stimulate("Boom#ignored");
    await until("three failures", () => failures === 3);
    await until("the warning", () => warnings().some((m) => m.includes("Boom#ignored")));
    expect(warnings().filter((m) => m.includes("Boom#"))).toEqual([expect.stringContaining("Boom#ignored")]);
  } finally {
    document.removeEventListener("courier:failed", count);
    document.removeEventListener("courier:failed", read);
  }
});

test("the reference server logs a throwing handler on console.error by default; logger: false silences it", async () => {
  const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
  try {
    const loud = createServer({ reflexes: { "Boom#loud": boom("loud") }, allowedOrigins: [location.origin] });
    await loud.listen(0);
    server = loud;
    const c = connect(loud.cableUrl);
    await expect(c.stimulate("Boom#loud")).rejects.toBeTruthy();
    expect(error.mock.calls.some((call: unknown[]) => String(call[0]).includes("Boom#loud"))).toBe(true);
    courier?.stop();
    await loud.close();
    error.mockClear();
    const quiet = await serve({ reflexes: { "Boom#quiet": boom("quiet") } });
    const d = connect(quiet.cableUrl);
    await expect(d.stimulate("Boom#quiet")).rejects.toBeTruthy();
    expect(error).not.toHaveBeenCalled();
  } finally {
    error.mockRestore();
  }
});

test("an operation that fails warns without debug, and courier:operation-error still fires", async () => {
  const s = await serve({});
  const c = connect(s.cableUrl);
  const errors: unknown[] = [];
  const listen = (e: Event) => void errors.push((e as CustomEvent).detail);
  document.addEventListener("courier:operation-error", listen);
  try {
    c.applyOperations([{ operation: "innerHtml", selector: "#nowhere-at-all", html: "x" }]);
    expect(errors).toHaveLength(1);
    expect(warnings().filter((m) => m.includes("innerHtml"))).toHaveLength(1);
  } finally {
    document.removeEventListener("courier:operation-error", listen);
  }
});

test("the payload's version: 3.5.5 by default, <meta name=stimulus-reflex-version>, or the version option", async () => {
  const versions: unknown[] = [];
  const s = await serve({ reflexes: { "V#see": ({ payload }) => void versions.push((payload as { version?: string }).version) } });
  const c = connect(s.cableUrl);
  await c.stimulate("V#see");
  c.stop();
  const meta = document.createElement("meta");
  meta.name = "stimulus-reflex-version";
  meta.content = "3.4.1";
  document.head.append(meta);
  try {
    const d = connect(s.cableUrl);
    await d.stimulate("V#see");
    d.stop();
    courier = new Courier({ url: s.cableUrl, storage: "memory", version: "3.5.0-pre9" });
    courier.connect();
    await courier.stimulate("V#see");
  } finally {
    meta.remove();
  }
  expect(versions).toEqual(["3.5.5", "3.4.1", "3.5.0-pre9"]);
});

test("start() again with other options warns once, naming them; with none or the same, it does not", async () => {
  const { start } = await import("../../../src/index");
  const first = start({ url: "ws://127.0.0.1:9/cable", storage: "memory" });
  courier = first;
  expect(start()).toBe(first);
  expect(start({ url: "ws://127.0.0.1:9/cable" })).toBe(first);
  expect(warnings().filter((m) => m.includes("start()"))).toHaveLength(0);
  expect(start({ url: "ws://127.0.0.1:9/other", maxQueue: 5 })).toBe(first);
  expect(start({ url: "ws://127.0.0.1:9/third" })).toBe(first);
  const warned = warnings().filter((m) => m.includes("start()"));
  expect(warned).toHaveLength(1);
  expect(warned[0]).toContain("url, maxQueue");
});

test("isolate: operations broadcast for another tab's reflex are not applied; this page's and plain broadcasts are", async () => {
  document.body.innerHTML = `<p id="other">-</p><p id="mine">-</p><p id="plain">-</p>`;
  const s = await serve({ reflexes: { "Mine#run": () => [{ operation: "innerHtml", selector: "#mine", html: "mine" }] } });
  const run = async (isolate: boolean) => {
    courier = new Courier({ url: s.cableUrl, storage: "memory", isolate });
    courier.connect();
    await until("connected", () => courier!.state === "connected");
    s.broadcast([{ operation: "innerHtml", selector: "#other", html: "other", reflexId: "another-tab-reflex" }]);
    s.broadcast([{ operation: "innerHtml", selector: "#plain", html: "plain" }]);
    await until("the plain broadcast", () => document.getElementById("plain")!.textContent === "plain");
    await courier.stimulate("Mine#run");
    const seen = ["other", "mine", "plain"].map((id) => document.getElementById(id)!.textContent);
    courier.stop();
    for (const id of ["other", "mine", "plain"]) document.getElementById(id)!.textContent = "-";
    return seen;
  };
  expect(await run(true)).toEqual(["-", "mine", "plain"]);
  expect(await run(false)).toEqual(["other", "mine", "plain"]);
});
