// Durable from the instant of the click (issue 10 item 3): n × stimulate() then location.reload() in the
// same task. The reflexes share one IndexedDB transaction and the journal covers the moment before it
// commits, so the next page finds all of them and each runs exactly once.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { freshContext, launchBrowser, waitForPending, waitForState, waitUntil, watchErrors, WAIT } from "../support/browser";
import { counterPage, courierReady as ready, outboxWorld, type OutboxWorld } from "../support/outbox-world";

let world: OutboxWorld;
let browser: Browser;
beforeAll(async () => {
  world = await outboxWorld({ "/counter": counterPage });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

test("20 × stimulate() then location.reload() in the same task: all 20 run exactly once", async () => {
  const n = 20;
  const context = await freshContext(browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(world.page("/counter"));
  await waitForState(page, "connected");
  await world.down(); // nothing goes out before the reload: every reflex must survive it
  await waitForState(page, "disconnected");

  const navigated = page.waitForEvent("load");
  await page
    .evaluate((count) => {
      const courier = (window as unknown as { courier: { stimulate(t: string): Promise<unknown> } }).courier;
      for (let i = 0; i < count; i++) courier.stimulate("Counter#increment").catch(() => undefined);
      location.reload();
    }, n)
    .catch(() => undefined); // the reload may cut the evaluation short
  await navigated;
  await ready(page);
  await waitForPending(page, n);

  await world.up();
  await waitForPending(page, 0);
  await waitUntil(async () => world.runs, (runs) => runs === n, `${n} runs`);
  // One more behind them: once it ran, nothing of theirs is still on its way.
  await page.evaluate(() => (window as unknown as { courier: { stimulate(t: string): Promise<unknown> } }).courier.stimulate("Counter#increment"));
  expect(world.runs).toBe(n + 1);
  await page.waitForFunction((text) => document.getElementById("count")?.textContent === text, String(n + 1), { timeout: WAIT });
  expect(errors).toEqual([]);
  await context.close();
});
