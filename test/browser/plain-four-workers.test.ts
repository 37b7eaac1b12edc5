// Issue 9 item 10 in the browser, against a server that, like StimulusReflex, runs one connection's
// messages on four workers and stays silent for an unknown target (test/support/sr-fake.ts, checked
// against the recorded StimulusReflex frames in test/unit/server/sr-fake.test.ts). A replayed backlog
// runs in click order and the page shows the last count; an unknown target fails as `uncertain` after
// `answerTimeout` and is never sent again. The last test shows the fake does reorder what four in
// flight give it, so the first would catch a client that sends a plain backlog in parallel.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { freshContext, launchBrowser, waitForPending, waitForState, waitUntil, watchErrors, WAIT } from "../support/browser";
import { counterPage, courierReady as ready, outboxWorld, stageEvents, stimulusReflexCable, waitForStage, type OutboxWorld } from "../support/outbox-world";
import { emptyLog } from "../support/sr-fake";

const log = emptyLog();
let world: OutboxWorld;
let browser: Browser;
beforeAll(async () => {
  world = await outboxWorld({ "/counter": counterPage }, stimulusReflexCable(log, { workers: 4, seed: 1 }));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

const times = (id: string) => log.arrived.filter((arrived) => arrived === id).length;

/**
 * Ten clicks while the server is down, then the server back: resolves once all ten ran and the page
 * settled, with their ids in click order and in the order they ran.
 */
async function replayTenOffline(page: Page): Promise<{ clicks: string[]; ran: string[] }> {
  const before = world.runs;
  await waitForState(page, "connected");
  await world.down();
  await waitForState(page, "disconnected");
  for (let i = 0; i < 10; i++) await page.click("#plus");
  const clicks = await waitForStage(page, "queued", 10);
  expect(new Set(clicks).size).toBe(10);
  await world.up();
  await waitUntil(async () => world.runs, (runs) => runs >= before + 10, "ten runs");
  await waitForPending(page, 0);
  return { clicks, ran: world.ran.slice(before) };
}

test("10 clicks queued offline, replayed to four workers: they run in click order and the page shows 10", async () => {
  const context = await freshContext(browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  const before = world.runs;
  await page.goto(world.page("/counter"));
  const { clicks, ran } = await replayTenOffline(page);
  expect(ran).toEqual(clicks);
  expect(clicks.map(times)).toEqual(clicks.map(() => 1));
  await page.waitForFunction((n) => document.getElementById("count")?.textContent === n, String(before + 10), { timeout: WAIT });

  // An unknown target: StimulusReflex answers nothing. It fails as uncertain after a short answerTimeout
  // (on this page only: the replay above keeps the default, so a slow machine cannot fail a real answer).
  await page.goto(world.page("/counter", { answerTimeout: 2000 }));
  await ready(page);
  await waitForState(page, "connected");
  const ghost = await page.evaluate(() => {
    const courier = (window as unknown as { courier: { stimulate(t: string): Promise<unknown> & { id: string } } }).courier;
    const promise = courier.stimulate("Counter#vanish");
    promise.catch(() => undefined);
    return promise.id;
  });
  await waitUntil(async () => stageEvents(page), (events) => events.some((e) => e.id === ghost && e.stage === "failed"), "the unknown target to fail");
  await waitForPending(page, 0);
  expect((await stageEvents(page)).filter((e) => e.id === ghost && e.stage === "failed").map((e) => e.reason)).toEqual(["uncertain"]);
  expect(log.unanswered).toContain(ghost);

  // Never resent: not after a reload either. One more click is the barrier behind anything still queued.
  await page.goto(world.page("/counter"));
  await ready(page);
  await waitForState(page, "connected");
  await page.click("#plus");
  await waitUntil(async () => world.runs, (runs) => runs >= before + 11, "the barrier click");
  await waitForPending(page, 0);
  expect(times(ghost)).toBe(1);
  await page.reload();
  await ready(page);
  expect(await page.textContent("#count")).toBe(String(before + 11));
  expect(world.runs).toBe(before + 11);
  expect(errors).toEqual([]);
  await context.close();
});

test("the fake reorders: with plainWindow raised to 4 the same backlog runs out of click order", async () => {
  const context = await freshContext(browser);
  const page = await context.newPage();
  await page.goto(world.page("/counter", { plainWindow: 4 }));
  const { clicks, ran } = await replayTenOffline(page);
  expect([...ran].sort()).toEqual([...clicks].sort());
  expect(ran).not.toEqual(clicks); // seed 1: the second job of the first four starts before the first
  await context.close();
});
