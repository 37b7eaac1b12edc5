// One courier per page, whichever build asks: the IIFE by script tag and the self-contained ESM bundle,
// both on one page, get the same instance and share one socket (counted at the server).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createServer, morph, type CourierServer } from "../../src/server";
import { freshContext, launchBrowser, waitForState, watchErrors, WAIT } from "../support/browser";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
let server: CourierServer;
let browser: Browser;
let count = 0;

const page = `<!doctype html><html><head><meta charset="utf-8"><title>two copies</title>
<script src="/dist/cable-courier.iife.min.js"></script>
<script type="module">
  import * as esm from "/dist/cable-courier.bundle.js";
  const fromIife = CableCourier.start({ url: "/cable" });
  const fromEsm = esm.start();
  window.same = fromIife === fromEsm && esm.start() === CableCourier.start();
  window.courier = fromEsm;
</script></head><body><span id="count">0</span></body></html>`;

beforeAll(async () => {
  server = createServer({
    static: root,
    routes: {
      "/two-copies": (_req, res) => {
        res.writeHead(200, { "content-type": "text/html" }).end(page);
      },
    },
    reflexes: { "Counter#increment": () => [morph("#count", String(++count), { childrenOnly: true })] },
  });
  await server.listen(0);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test("the IIFE and the ESM bundle on one page share one courier and one socket", async () => {
  const context = await freshContext(browser);
  const tab = await context.newPage();
  const errors = watchErrors(tab);
  await tab.goto(`${server.url}/two-copies`);
  await waitForState(tab, "connected");
  expect(await tab.evaluate(() => (window as unknown as { same: boolean }).same)).toBe(true);

  await tab.evaluate(() => (window as unknown as { courier: { stimulate(t: string): Promise<unknown> } }).courier.stimulate("Counter#increment"));
  await tab.waitForFunction(() => document.getElementById("count")?.textContent === "1", null, { timeout: WAIT });
  expect(server.stats.connectionsOpened).toBe(1);
  expect(server.stats.handlerRuns["Counter#increment"]).toBe(1);
  expect(errors).toEqual([]);
  await context.close();
});
