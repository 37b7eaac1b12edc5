// Batched acknowledgements (PROTOCOL.md §3) with the whole client against the reference server: the socket
// is cut right after a batch whose `received` covers a run of seqs reached the page, while one of those
// seqs is still running. Exactly-once is judged where it shows: runs per seq at the server, the page.
import { afterEach, beforeEach, expect, test } from "vitest";
import { Courier } from "../../../src/courier";
import { createServer, morph, MemoryStore, type CourierServer } from "../../../src/server";
import { startFaultProxy, type FaultProxy } from "../../chaos/fault-proxy";

const N = 20;
const SLOW_SEQ = 5;
let server: CourierServer;
let proxy: FaultProxy;
let courier: Courier | undefined;
let runs: number[] = [];

beforeEach(async () => {
  runs = [];
  document.body.innerHTML = `<span id="count">0</span>`;
  const reflexes = {
    "Counter#increment": async ({ seq }: { seq?: number }) => {
      runs.push(seq ?? 0);
      // One seq in the middle outlives its tick, so the batch before it carries its `received` but not its commit.
      if (seq === SLOW_SEQ) await new Promise((resolve) => setTimeout(resolve, 100));
      return [morph("#count", String(runs.length), { childrenOnly: true })];
    },
  };
  server = createServer({ reflexes, store: new MemoryStore(), allowedOrigins: [location.origin] });
  await server.listen(0);
  proxy = await startFaultProxy(() => server.port);
}, 60_000);

afterEach(async () => {
  courier?.stop();
  courier = undefined;
  await proxy.close();
  await server.close();
}, 60_000);

test("a cut after a received-through batch: every reflex runs once, resent ones are answered from the store", async () => {
  let stale = 0;
  document.addEventListener("courier:stale", (e) => (stale += (e as CustomEvent<{ reflexes: unknown[] }>).detail.reflexes.length));
  const cut = proxy.cut("after-received-through", 15_000);
  courier = new Courier({ url: `ws://127.0.0.1:${proxy.port}/cable`, storage: "memory", disconnectDelay: 0 });
  const results = Array.from({ length: N }, () => courier!.stimulate("Counter#increment"));
  courier.connect();

  const wasCut = await cut;
  expect(wasCut).toBe(true);
  await Promise.all(results);
  expect([...runs].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  expect(server.stats.handlerRuns["Counter#increment"]).toBe(N);
  // The reflexes received but not committed before the cut were sent again and answered from the store.
  expect(server.stats.duplicates).toBeGreaterThan(0);
  // Answers from the store are not news to the page (PROTOCOL.md §5): each is reported stale for the app to
  // re-render, never applied as a fresh run.
  expect(stale).toBe(server.stats.duplicates);
  expect(courier.pending).toBe(0);
}, 60_000);
