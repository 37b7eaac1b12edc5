// Issue 9 item 2 in the browser: a plain server (the reference server without the extension), three
// clicks queued offline; on reconnect the batch `attempted` mark is written and a click lands while that
// write is under way; the page reloads before any answer. A meta written from the click's stale copy
// would wipe the mark and the next page would send the three again. Instead each reflex runs at most
// once, the ones that went out are reported `uncertain` rather than resent, and after a last reload the
// page shows what the server did.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { freshContext, launchBrowser, waitForPending, waitForState, waitUntil, watchErrors } from "../support/browser";
import { counterPage, courierReady as ready, outboxWorld, referenceCable, stageEvents, waitForStage, type OutboxWorld } from "../support/outbox-world";

let world: OutboxWorld;
let browser: Browser;
beforeAll(async () => {
  world = await outboxWorld({ "/counter": counterPage }, referenceCable(false));
  browser = await launchBrowser();
});
afterAll(async () => {
  world?.release();
  await browser?.close();
  await world?.close();
});

test("3 queued offline, a click during the reconnect's mark write, reload before the answers: none runs twice", async () => {
  const context = await freshContext(browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  // Four in flight, as in the issue: the three are marked attempted in one write before they go out.
  await page.goto(world.page("/counter", { plainWindow: 4 }));
  await waitForState(page, "connected");
  await world.down();
  await waitForState(page, "disconnected");
  for (let i = 0; i < 3; i++) await page.click("#plus");
  await waitForStage(page, "queued", 3);

  // The click comes in the reconnect's own task, right after the outbox starts writing the batch mark.
  await page.evaluate(() =>
    document.addEventListener("courier:connected", () => queueMicrotask(() => document.getElementById("plus")?.click()), { once: true }),
  );
  world.hold(); // the server runs them but answers none before the reload
  await world.up();
  await waitUntil(async () => world.ran.length, (n) => n >= 4, "the four reflexes to reach the server");
  const clicked = await waitForStage(page, "queued", 4);
  expect(new Set(clicked).size).toBe(4);
  expect([...world.ran].sort()).toEqual([...clicked].sort());

  await page.reload();
  await ready(page);
  // Settled, or something went out again (it would wait at the held server and keep pending above 0).
  await waitUntil(
    async () => ({ pending: await page.getAttribute("html", "data-cable-pending"), runs: world.ran.length }),
    ({ pending, runs }) => pending === "0" || runs > 4,
    "the reloaded page to settle",
  );
  expect(world.ran).toHaveLength(4);
  const failed = (await stageEvents(page)).filter((e) => e.stage === "failed");
  expect(failed.map((e) => [e.id, e.reason]).sort()).toEqual(clicked.map((id) => [id, "uncertain"]).sort());

  // The answers of the first page's socket come to nothing; a last reload shows what the server did.
  world.release();
  await page.reload();
  await ready(page);
  await waitForState(page, "connected");
  await waitForPending(page, 0);
  expect(await page.textContent("#count")).toBe("4");
  expect(world.ran).toHaveLength(4);
  expect(new Set(world.ran).size).toBe(4);
  expect(errors).toEqual([]);
  await context.close();
});
