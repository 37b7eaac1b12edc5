// The whole client — courier, outbox, transport, operations — in happy-dom against the real reference
// server over a real WebSocket on 127.0.0.1. Real timers; every wait is on a condition.
import { afterEach, beforeEach, expect, test } from "vitest";
import { Courier } from "../../../src/courier";
import { ReflexError } from "../../../src/outbox";
import { createServer, morph, MemoryStore, type CourierServer } from "../../../src/server";

let server: CourierServer;
let courier: Courier | undefined;
let count = 0;
const store = new MemoryStore();

const reflexes = {
  "Counter#increment": () => [morph("#count", String(++count), { childrenOnly: true })],
  "Counter#boom": () => {
    throw new Error("kaboom");
  },
};

async function until(what: string, condition: () => boolean, limit = 15_000): Promise<void> {
  const deadline = Date.now() + limit;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeEach(async () => {
  count = 0;
  document.body.innerHTML = `<span id="count">0</span><button id="b" data-reflex="click->Counter#increment">+</button>`;
  server = createServer({ reflexes, store, allowedOrigins: [location.origin] }); // happy-dom's page is another origin
  await server.listen(0);
});

afterEach(async () => {
  courier?.stop();
  courier = undefined;
  await server.close();
});

function connect(): Courier {
  courier = new Courier({ url: server.cableUrl, storage: "memory", disconnectDelay: 0 });
  courier.connect();
  return courier;
}

test("a click runs the reflex once, the morph lands and the promise resolves", async () => {
  const c = connect();
  await until("connected", () => c.state === "connected");
  const committed: string[] = [];
  document.addEventListener("courier:committed", (e) => committed.push((e as CustomEvent).detail.id));

  document.getElementById("b")!.click();
  await until("the morph", () => document.getElementById("count")!.textContent === "1");
  await until("the committed event", () => committed.length === 1);
  expect(server.stats.handlerRuns["Counter#increment"]).toBe(1);
  expect(document.documentElement.getAttribute("data-cable-pending")).toBe("0");

  const result = await c.stimulate("Counter#increment");
  expect(result.operations[0]).toMatchObject({ operation: "morph", selector: "#count" });
  expect(document.getElementById("count")!.textContent).toBe("2");
});

test("a failing reflex rejects with reason failed and the html says connected", async () => {
  const c = connect();
  await until("connected", () => c.state === "connected");
  expect(document.documentElement.classList.contains("cable-connected")).toBe(true);
  const error = await c.stimulate("Counter#boom").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ReflexError);
  expect((error as ReflexError).reason).toBe("failed");
});

test("reflexes made while the server is down are delivered once when it comes back", async () => {
  const c = connect();
  await until("connected", () => c.state === "connected");
  const port = server.port;
  await server.close();
  await until("disconnected", () => c.state === "disconnected");
  await until("the page to show it", () => document.documentElement.getAttribute("data-cable-state") === "disconnected");

  const reflexesWhileDown = [c.stimulate("Counter#increment"), c.stimulate("Counter#increment")];
  await until("two pending", () => document.documentElement.getAttribute("data-cable-pending") === "2");

  server = createServer({ reflexes, store, allowedOrigins: [location.origin] }); // happy-dom's page is another origin
  await server.listen(port);
  await Promise.all(reflexesWhileDown);
  expect(server.stats.handlerRuns["Counter#increment"]).toBe(2);
  expect(document.getElementById("count")!.textContent).toBe("2");
  expect(c.state).toBe("connected");
});

test("applyOperations lands operations or a whole envelope as the server's would, and refuses a malformed one", async () => {
  const c = connect();
  const errors: unknown[] = [];
  document.addEventListener("courier:operation-error", (e) => errors.push((e as CustomEvent).detail));
  c.applyOperations([morph("#count", "7", { childrenOnly: true })]);
  expect(document.getElementById("count")!.textContent).toBe("7");
  c.applyOperations({ cableReady: true, operations: [morph("#count", "8", { childrenOnly: true })] });
  expect(document.getElementById("count")!.textContent).toBe("8");
  c.applyOperations({ cableReady: true, operations: "nope" } as never);
  expect(document.getElementById("count")!.textContent).toBe("8");
  expect(errors).toHaveLength(1);
});

test("a server that says not to reconnect: the courier stops and the page can read why", async () => {
  const { WebSocketServer } = await import("ws");
  const refusing = new WebSocketServer({ host: "127.0.0.1", port: 0, handleProtocols: () => "actioncable-v1-json" });
  await new Promise((resolve) => refusing.on("listening", resolve));
  let sockets = 0;
  refusing.on("connection", (ws) => {
    sockets++;
    ws.send(JSON.stringify({ type: "welcome" }));
    ws.send(JSON.stringify({ type: "disconnect", reason: "unauthorized", reconnect: false }));
    ws.close();
  });
  const details: Array<{ state: string; disconnect?: { reason: string; reconnect: boolean } }> = [];
  document.addEventListener("courier:state", (e) => details.push((e as CustomEvent).detail));
  const port = (refusing.address() as { port: number }).port;
  courier = new Courier({ url: `ws://127.0.0.1:${port}/cable`, storage: "memory" });
  courier.connect();
  await until("the refusal", () => courier!.lastDisconnect !== undefined && courier!.state === "refused");
  expect(courier.lastDisconnect).toEqual({ reason: "unauthorized", reconnect: false });
  expect(details.at(-1)).toMatchObject({ state: "refused", disconnect: { reason: "unauthorized", reconnect: false } });
  await new Promise((resolve) => setTimeout(resolve, 300)); // would be several attempts at a 50 ms backoff
  expect(sockets).toBe(1);
  refusing.close();
});
