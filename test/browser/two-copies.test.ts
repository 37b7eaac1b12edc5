// One courier per page, whichever build asks: the IIFE by script tag and the self-contained ESM bundle,
// both on one page, get the same instance and share one socket (counted at the server).
import { expect, test } from "vitest";
import { freshContext, waitForState, watchErrors, WAIT } from "../support/browser";
import { counterFixture } from "../support/counter-fixture";

const page = `<!doctype html><html><head><meta charset="utf-8"><title>two copies</title>
<script src="/dist/cable-courier.iife.min.js"></script>
<script type="module">
  import * as esm from "/dist/cable-courier.bundle.js";
  const fromIife = CableCourier.start({ url: "/cable" });
  const fromEsm = esm.start();
  window.same = fromIife === fromEsm && esm.start() === CableCourier.start();
  window.courier = fromEsm;
</script></head><body><span id="count">0</span></body></html>`;

const fixture = counterFixture({ "/two-copies": () => page });

test("the IIFE and the ESM bundle on one page share one courier and one socket", async () => {
  const context = await freshContext(fixture.browser);
  const tab = await context.newPage();
  const errors = watchErrors(tab);
  await tab.goto(`${fixture.server.url}/two-copies`);
  await waitForState(tab, "connected");
  expect(await tab.evaluate(() => (window as unknown as { same: boolean }).same)).toBe(true);

  await tab.evaluate(() => (window as unknown as { courier: { stimulate(t: string): Promise<unknown> } }).courier.stimulate("Counter#increment"));
  await tab.waitForFunction(() => document.getElementById("count")?.textContent === "1", null, { timeout: WAIT });
  expect(fixture.server.stats.connectionsOpened).toBe(1);
  expect(fixture.server.stats.handlerRuns["Counter#increment"]).toBe(1);
  expect(errors).toEqual([]);
  await context.close();
});
