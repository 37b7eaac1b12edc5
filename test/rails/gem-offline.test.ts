// Our IIFE client in Chromium against the gem's Rails app in puma (test/rails/gem/config.ru, ActiveRecord
// store on sqlite), judged where the user looks: every note is counted at the server (its label, its
// user) and the page's count is read after reloads.
// - 20 clicks queued while puma is down survive two reloads and run exactly once, in click order.
// - puma SIGKILLed between `received` and `committed`: the crash rolls back the reflex's row and its seq,
//   the resend runs it once, and its promise resolves after the restart.
// - Alice's queued clicks never run on Bob's connection in the same tab; they run as Alice when she returns.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from "vitest";
import { freshContext, launchBrowser, waitForPending, waitForState, waitUntil, watchErrors } from "../support/browser";
import { startGemApp, type GemApp } from "./gem-app";
import { clickLabelled, labels, reloadReady, settledCount, type CourierWindow } from "./gem-pages";
import { offlineCache, outboxCount } from "./offline";

const flags = mkdtempSync(join(tmpdir(), "gem-offline-"));
const BLOCK = join(flags, "block"); // while it exists, Counter#slow waits after its write
let app: GemApp;
let browser: Browser;
let context: BrowserContext;

const clientIdOf = (page: import("playwright-core").Page) => page.evaluate(() => (window as unknown as CourierWindow).courier.clientId);

beforeAll(async () => {
  [browser, app] = await Promise.all([launchBrowser(), startGemApp({ block: BLOCK })]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(flags, { recursive: true, force: true });
});

beforeEach(async () => {
  await app.up(); // a failed test may have left puma down
  context = await freshContext(browser);
});

afterEach(async () => {
  await context?.close();
});

test("20 clicks queued while puma is down survive two reloads and run exactly once, in click order", async () => {
  await offlineCache(context, app.url);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${app.url}/?user=alice`);
  await waitForState(page, "connected");
  const clientId = await clientIdOf(page);
  const before = (await app.stats()).notes.length;

  await app.down();
  await waitForState(page, "disconnected");
  for (const label of labels("q", 1, 10)) await clickLabelled(page, label);
  await waitForPending(page, 10);
  await reloadReady(page); // from the offline cache: puma is still down
  await waitForPending(page, 10);
  // A fresh clientId every page load (PROTOCOL.md §2): the first ten keep the first page's.
  const second = await clientIdOf(page);
  expect(second).not.toBe(clientId);
  for (const label of labels("q", 11, 20)) await clickLabelled(page, label);
  await waitForPending(page, 20);
  await reloadReady(page);
  await waitForPending(page, 20);
  expect(await outboxCount(page)).toBe(20);
  expect([clientId, second]).not.toContain(await clientIdOf(page));

  await app.up();
  await waitForState(page, "connected");
  await settledCount(page, before + 20);
  const stats = await app.stats();
  expect(stats.notes.slice(before)).toEqual(labels("q", 1, 20)); // each once, in click order
  expect(stats.users.slice(before)).toEqual(Array(20).fill("alice"));
  expect(stats.lanes[clientId]).toBe(10); // each under the clientId and seq of the page that queued it
  expect(stats.lanes[second]).toBe(10);
  expect(await outboxCount(page)).toBe(0);

  await page.reload(); // from puma: what the server rendered
  await waitForState(page, "connected");
  expect(await page.textContent("#count")).toBe(String(before + 20));
  expect((await app.stats()).notes).toHaveLength(before + 20);
  expect(errors).toEqual([]);
}, 90_000);

test("puma SIGKILLed between received and committed: the reflex's row is written once and its promise resolves after the restart", async () => {
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${app.url}/?user=carol`);
  await waitForState(page, "connected");
  const clientId = await clientIdOf(page);
  const before = (await app.stats()).notes.length;

  writeFileSync(BLOCK, "");
  await page.evaluate(() => {
    const w = window as unknown as CourierWindow;
    const element = document.querySelector<HTMLElement>("#slow")!;
    w.__slow = w.courier.stimulate("Counter#slow", { element }).then(() => "resolved", (e: { reason?: string }) => `rejected: ${e.reason}`);
  });
  // The reflex has written its row and waits inside the lane's transaction: `received`, not `committed`.
  await waitUntil(async () => existsSync(`${BLOCK}.entered`), Boolean, "Counter#slow to be running");
  await app.down({ hard: true });
  rmSync(BLOCK); // the resend runs through
  await app.up();

  expect(await page.evaluate(() => (window as unknown as CourierWindow).__slow)).toBe("resolved");
  await waitForPending(page, 0);
  const stats = await app.stats();
  expect(stats.notes.slice(before)).toEqual(["slow"]); // the killed run's row was rolled back with its seq
  expect(stats.lanes[clientId]).toBe(1);
  await settledCount(page, before + 1);
  expect(errors).toEqual([]);
}, 90_000);

test("Alice's queued clicks never run on Bob's connection in the same tab; they run as Alice when she returns", async () => {
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${app.url}/?user=alice`);
  await waitForState(page, "connected");
  const before = (await app.stats()).notes.length;

  await app.down();
  await waitForState(page, "disconnected");
  for (const label of labels("alice", 1, 3)) await clickLabelled(page, label);
  await waitForPending(page, 3);
  // In IndexedDB before her page goes, so Bob's page can be asked what it holds for her (a click still in
  // the tab's journal then would reach IndexedDB only once Alice's page drains it).
  await waitUntil(() => outboxCount(page), (n) => n === 3, "Alice's three clicks in IndexedDB");
  await page.goto("about:blank"); // Alice logs out (closing her page while offline)
  await app.up();

  await page.goto(`${app.url}/?user=bob`); // Bob logs in in the same tab: the same origin's IndexedDB
  await waitForState(page, "connected");
  await page.evaluate(() => (window as unknown as CourierWindow).courier.ready);
  await clickLabelled(page, "bob1");
  let stats = await waitUntil(() => app.stats(), (s) => s.notes.includes("bob1"), "Bob's click at the server");
  await waitForPending(page, 0);
  stats = await app.stats();
  expect(stats.notes.slice(before)).toEqual(["bob1"]);
  expect(stats.users.slice(before)).toEqual(["bob"]);
  await settledCount(page, before + 1);
  expect(await outboxCount(page)).toBe(3); // Alice's, kept for her

  await page.goto(`${app.url}/?user=alice`);
  await waitForState(page, "connected");
  stats = await waitUntil(() => app.stats(), (s) => s.notes.length >= before + 4, "Alice's three clicks at the server");
  await settledCount(page, before + 4);
  stats = await app.stats();
  expect(stats.notes.slice(before)).toEqual(["bob1", "alice1", "alice2", "alice3"]);
  expect(stats.users.slice(before)).toEqual(["bob", "alice", "alice", "alice"]);
  expect(await outboxCount(page)).toBe(0);
  expect(errors).toEqual([]);
}, 90_000);
