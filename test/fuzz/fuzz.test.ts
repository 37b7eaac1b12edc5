// The hostile-server fuzzer (issue 10, deliver 2). `npm test` runs a short campaign; `npm run fuzz --
// --seed N --frames N` a long one (scripts/fuzz.mjs passes them as FUZZ_SEED / FUZZ_FRAMES).
// Invariants: no page error; the page keeps working; no reflex leaves the outbox except by an exact,
// well-formed ack from the real server; every click ran exactly once; pending back to 0; bounded heap.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createServer, morph, type CourierServer } from "../../src/server";
import { freshContext, launchBrowser, waitForPending, waitForState, watchErrors, WAIT } from "../support/browser";
import { HostileProxy, KINDS, prng, type Kind } from "./hostile";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const SEED = Number(process.env.FUZZ_SEED ?? 1);
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 1500);
const chosen = (process.env.FUZZ_KINDS ?? "").split(",").filter(Boolean) as Kind[];
const unknownKind = chosen.find((kind) => !KINDS.includes(kind));
if (unknownKind) throw new Error(`unknown FUZZ_KINDS entry ${unknownKind}; known: ${KINDS.join(", ")}`);
const KIND_LIST: readonly Kind[] = chosen.length ? chosen : KINDS;
/** After a forced GC; the page itself needs a few MB. */
const HEAP_LIMIT = 64 * 1024 * 1024;

let server: CourierServer;
let browser: Browser;
let runs = 0;
let cableUrl = "";

const page = () => `<!doctype html><html><head><meta charset="utf-8"><title>fuzz</title>
<script src="/dist/cable-courier.iife.min.js"></script>
<script>
  window.removed = [];
  for (const stage of ["committed", "failed"]) document.addEventListener("courier:" + stage, (e) => window.removed.push([e.detail.id, stage]));
  window.courier = CableCourier.start({ url: ${JSON.stringify("__CABLE__")}, storage: "memory" });
</script></head>
<body><span id="count">${runs}</span><button id="inc" data-reflex="click->Counter#increment">+1</button></body></html>`;

beforeAll(async () => {
  server = createServer({
    static: root,
    routes: { "/fuzz": (_req, res) => void res.writeHead(200, { "content-type": "text/html" }).end(page().replace("__CABLE__", cableUrl)) },
    reflexes: { "Counter#increment": () => [morph("#count", String(++runs), { childrenOnly: true })] },
  });
  await server.listen(0);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test(`a hostile server: seed ${SEED}, ${FRAMES} frames`, { timeout: 600_000 }, async () => {
  const proxy = new HostileProxy({ upstream: server.cableUrl, seed: SEED, frames: FRAMES, kinds: KIND_LIST });
  cableUrl = await proxy.listen();
  const started = Date.now();
  const context = await freshContext(browser);
  const tab = await context.newPage();
  const errors = watchErrors(tab);
  try {
    await tab.goto(`${server.url}/fuzz`);
    await waitForState(tab, "connected");
    proxy.start();
    const random = prng(SEED ^ 0x5eed);
    let clicks = 0;
    while (!proxy.done) {
      await tab.click("#inc");
      clicks++;
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.floor(random() * 60)));
    }
    proxy.stopInjecting();

    // The page keeps working: one more click after the storm lands like any other.
    await waitForState(tab, "connected");
    await tab.click("#inc");
    clicks++;
    await waitForPending(tab, 0, WAIT * 2);
    await tab.waitForFunction((n) => document.getElementById("count")?.textContent === String(n), clicks, { timeout: WAIT });

    const removed = await tab.evaluate(() => (window as unknown as { removed: Array<[string, string]> }).removed);
    const forged = removed.filter(([id, stage]) => !(proxy.exactAcks.get(id) ?? []).includes(stage));
    const cdp = await context.newCDPSession(tab);
    await cdp.send("HeapProfiler.collectGarbage");
    const { usedSize } = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number };

    const figures = {
      seed: SEED, frames: proxy.total, injected: proxy.injected, clicks, runs: server.stats.handlerRuns["Counter#increment"] ?? 0,
      removed: removed.length, removedWithoutExactAck: forged.length, pageErrors: errors.length,
      heapMB: Math.round((usedSize / 1024 / 1024) * 10) / 10, seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    console.log(`FUZZ ${JSON.stringify(figures)}`);
    if (forged.length || errors.length) console.log(`FUZZ violations (seed ${SEED}): ${JSON.stringify({ forged: forged.slice(0, 10), errors: errors.slice(0, 10) })}`);

    expect(errors).toEqual([]);
    expect(forged).toEqual([]);
    expect(figures.runs).toBe(clicks); // each click ran exactly once
    expect(removed.filter(([, stage]) => stage === "committed")).toHaveLength(clicks);
    expect(usedSize).toBeLessThan(HEAP_LIMIT);
    expect(proxy.total).toBeGreaterThanOrEqual(FRAMES);
  } finally {
    await context.close();
    await proxy.close();
  }
});
