// IndexedDB shared by the tabs of one origin runs their read-write transactions one after another, so a
// page that loads while another tab keeps the outbox busy waits in line. The open timeout (a Safari
// `indexedDB.open` that never answers) must not take that wait for a dead database: a page that gave up
// on IndexedDB kept its clicks in memory only, and a reload lost them (seen in the 10,000-click campaign,
// where a tab with hundreds of reflexes pending kept the store busy for seconds).
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { freshContext, launchBrowser, waitForPending, waitForState, waitUntil, watchErrors } from "../support/browser";
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

/** Longer than the outbox's open timeout (OPEN_TIMEOUT, 5 s). */
const BUSY_MS = 7000;

test("a page that opens while another tab keeps IndexedDB busy past the open timeout stays durable; its clicks survive a reload", async () => {
  const context = await freshContext(browser);
  const busy = await context.newPage();
  await busy.goto(world.page("/counter"));
  await ready(busy);
  // One read-write transaction on the outbox's store, kept alive by chained requests for BUSY_MS.
  const holding = busy.evaluate(
    (ms) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open("cable-courier");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction("outbox", "readwrite");
          const store = tx.objectStore("outbox");
          const until = Date.now() + ms;
          let requests = 0;
          const next = () => {
            requests++;
            if (Date.now() < until) store.get(["busy"]).onsuccess = next;
          };
          next();
          tx.oncomplete = () => resolve(requests);
          tx.onerror = () => reject(tx.error);
        };
      }),
    BUSY_MS,
  );
  await busy.waitForFunction(() => true); // the evaluation above has started its transaction

  const page = await context.newPage();
  const errors = watchErrors(page);
  const degraded: unknown[] = [];
  await page.exposeFunction("__degraded", (why: unknown) => void degraded.push(why));
  await page.addInitScript(() =>
    document.addEventListener("courier:storage-degraded", (e) => (window as unknown as { __degraded(x: unknown): void }).__degraded(String((e as CustomEvent).detail?.error ?? "")))
  );
  await world.down(); // nothing goes out: the clicks must survive the reload from storage
  await page.goto(world.page("/counter"));
  expect(await holding).toBeGreaterThan(1);
  await ready(page);
  expect(await page.evaluate(() => (window as unknown as { courier: { durable: boolean } }).courier.durable)).toBe(true);
  expect(degraded).toEqual([]);

  await page.evaluate(() => {
    const courier = (window as unknown as { courier: { stimulate(t: string): Promise<unknown> } }).courier;
    for (let i = 0; i < 3; i++) courier.stimulate("Counter#increment").catch(() => undefined);
  });
  await waitForPending(page, 3);
  await waitUntil(
    async () => page.evaluate(() => (window as unknown as { __events: Array<{ stage: string }> }).__events.filter((e) => e.stage === "queued").length),
    (queued) => queued === 3,
    "three queued",
  );
  await page.reload();
  await ready(page);
  // The three are in IndexedDB: the reloaded page or the other tab (whichever takes the gone page's
  // lock first) holds them.
  const pendingOf = async (p: typeof page) => Number((await p.getAttribute("html", "data-cable-pending")) ?? "0");
  await waitUntil(async () => (await pendingOf(page)) + (await pendingOf(busy)), (sum) => sum === 3, "three pending across the tabs");
  await world.up();
  await waitForState(page, "connected");
  await waitUntil(async () => world.runs, (runs) => runs === 3, "3 runs");
  await waitForPending(page, 0);
  await waitForPending(busy, 0);
  expect(world.runs).toBe(3);
  expect(errors).toEqual([]);
  await context.close();
});
