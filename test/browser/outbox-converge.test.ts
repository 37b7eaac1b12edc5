// Convergence (issue 9 item 1): ten clicks queued while the server is down, two reloads, the server back:
// the server runs the ten exactly once and the page shows 10, since each ran fresh after this page
// loaded and was made for its URL, although an earlier page made them.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { freshContext, launchBrowser, waitForPending, waitForState, waitUntil, watchErrors, WAIT } from "../support/browser";
import { counterPage as counter, courierReady as ready, outboxWorld, type OutboxWorld } from "../support/outbox-world";

let world: OutboxWorld;
let browser: Browser;
beforeAll(async () => {
  world = await outboxWorld({ "/counter": counter });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

test("10 clicks while the server is down, two reloads, server back: each runs once and the page shows 10", async () => {
  const context = await freshContext(browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(world.page("/counter"));
  await waitForState(page, "connected");

  await world.down();
  await waitForState(page, "disconnected");
  for (let i = 0; i < 10; i++) await page.click("#plus");
  await waitForPending(page, 10);
  for (let i = 0; i < 2; i++) {
    await page.reload();
    await ready(page);
    await waitForPending(page, 10);
  }
  expect(await page.textContent("#count")).toBe("0");

  await world.up();
  await waitForPending(page, 0);
  await page.waitForFunction(() => document.getElementById("count")?.textContent === "10", null, { timeout: WAIT });
  expect(world.runs).toBe(10);
  expect(await page.evaluate(() => (window as unknown as { __stale: unknown[] }).__stale)).toEqual([]);
  // Nothing is left to run again after a last reload.
  await page.reload();
  await ready(page);
  await waitForState(page, "connected");
  await waitUntil(async () => world.runs, (runs) => runs === 10, "no second run");
  expect(await page.textContent("#count")).toBe("10");
  expect(errors).toEqual([]);
  await context.close();
});
