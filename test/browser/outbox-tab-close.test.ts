// A click made a few ms before the TAB is closed (RELIABILITY.md finding 4): n × stimulate() and the tab
// closes before their IndexedDB write lands. The journal is in localStorage under the closed page's
// clientId, so a new tab on the same origin claims that lane, drains it, and each reflex runs exactly once.
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

test("20 × stimulate() then the tab closes before IndexedDB has them: a new tab runs each exactly once and shows it", async () => {
  const n = 20;
  const context = await freshContext(browser);
  const page = await context.newPage();
  await page.goto(world.page("/counter"));
  await waitForState(page, "connected");
  await world.down(); // nothing goes out before the close

  await waitForState(page, "disconnected");
  await page.evaluate(async (count) => {
    // The outbox's write waits behind a transaction that never ends: the tab closes before it lands,
    // as a real close a few ms after the clicks does.
    const db = await new Promise<IDBDatabase>((resolve) => {
      const open = indexedDB.open("cable-courier");
      open.onsuccess = () => resolve(open.result);
    });
    const store = db.transaction("outbox", "readwrite").objectStore("outbox");
    const spin = () => (store.get("spin").onsuccess = spin);
    spin();
    const courier = (window as unknown as { courier: { stimulate(t: string): Promise<unknown> } }).courier;
    for (let i = 0; i < count; i++) courier.stimulate("Counter#increment").catch(() => undefined);
  }, n);
  await page.close();
  expect(world.runs).toBe(0);

  await world.up();
  const next = await context.newPage();
  const errors = watchErrors(next);
  await next.goto(world.page("/counter"));
  await ready(next);
  await waitUntil(async () => world.runs, (runs) => runs === n, `${n} runs`);
  await waitForPending(next, 0);
  // One more behind them: once it ran, nothing of theirs is still on its way.
  await next.evaluate(() => (window as unknown as { courier: { stimulate(t: string): Promise<unknown> } }).courier.stimulate("Counter#increment"));
  expect(world.runs).toBe(n + 1);
  await next.waitForFunction((text) => document.getElementById("count")?.textContent === text, String(n + 1), { timeout: WAIT });
  expect(errors).toEqual([]);
  await context.close();
});
