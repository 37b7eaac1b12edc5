// Our IIFE client in real Chromium against Rails (Debian's ruby-rails 6.1 under puma): the gem's app,
// test/rails/gem (the cable_courier gem in the unmodified StimulusReflex): it connects and subscribes, its
// status hooks follow puma going away and coming back, and reflexes queued while puma is down (across a
// reload) run exactly once each, in order, after it returns. Effects are counted in the app's sqlite
// database, which survives the puma restarts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { freshContext, launchBrowser, waitForPending, waitForState, waitUntil, watchErrors, WAIT } from "../support/browser";
import { offlineCache, outboxCount } from "./offline";
import { railsAvailable, startRailsPeer, type RailsPeer } from "./peer";

const available = railsAvailable();
const stateDir = mkdtempSync(join(tmpdir(), "rails-browser-"));
const db = join(stateDir, "app.sqlite3");
let peer: RailsPeer | undefined;
let running = false;
let port: number | undefined; // a free one at first, then kept across restarts
let browser: Browser;
let context: BrowserContext;

function need(): RailsPeer {
  if (!peer) {
    throw new Error(`the Rails peer cannot run, missing: ${available.missing.join(", ")}. Install: apt-get install ruby-rails puma`);
  }
  return peer;
}

/** Stops puma (SIGTERM); the database keeps what was committed, the port stays ours to reuse. */
async function pumaDown(): Promise<void> {
  await need().stop();
  running = false;
}

/** Starts a new puma on the same port and database: the page's origin and the app's data are unchanged. */
async function pumaUp(): Promise<void> {
  peer = await startRailsPeer({ port, db });
  port = peer.port;
  running = true;
}

type PageWindow = { courier: import("../../src/courier").Courier; __states: string[] };

/** Records every state `<html>` shows, from the first one, so the order can be asserted. */
const RECORD_STATES = `
  window.__states = [];
  new MutationObserver(() => {
    const state = document.documentElement.getAttribute("data-cable-state");
    if (state && window.__states[window.__states.length - 1] !== state) window.__states.push(state);
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-cable-state"] });
`;

async function openPage(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${need().url}/?start`);
  await waitForState(page, "connected");
  return page;
}

/** One Log#append with `entry` and one real click on the increment button, both while puma is down. */
async function queueBoth(page: Page, entry: number): Promise<void> {
  await page.evaluate((n) => void (window as unknown as PageWindow).courier.stimulate("Log#append", { args: [String(n)] }).catch(() => {}), entry);
  await page.click("#increment");
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

beforeAll(async () => {
  browser = await launchBrowser();
  if (!available.ok) return;
  await pumaUp();
});

afterAll(async () => {
  await browser?.close();
  if (running) await peer?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

beforeEach(async () => {
  if (peer && !running) await pumaUp(); // a failed test may have left puma down
  await need().reset();
  context = await freshContext(browser);
});

afterEach(async () => {
  await context?.close();
});

describe("cable-courier in Chromium against Rails ActionCable", () => {
  test("connects, subscribes, and a click runs its reflex once and lands its morph", async () => {
    const page = await openPage();
    const errors = watchErrors(page);
    expect(await page.evaluate(() => document.documentElement.className)).toBe("cable-connected");
    const clientId = await page.evaluate(() => (window as unknown as PageWindow).courier.clientId);
    await page.click("#increment");
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "1", null, { timeout: WAIT });
    await waitForPending(page, 0);
    const stats = await need().stats();
    expect(stats).toMatchObject({ counter: 1, runs: { "Counter#increment": 1 }, clients: { "": { [clientId]: 1 } } });
    expect(errors).toEqual([]);
  });

  test("the status hooks follow puma going away and coming back; a disable button is disabled only while down", async () => {
    await context.addInitScript(RECORD_STATES);
    const page = await openPage();
    const errors = watchErrors(page);
    await page.evaluate(() => {
      document.body.insertAdjacentHTML("beforeend", '<button id="guarded" data-reflex="click->Counter#increment" data-reflex-offline="disable">x</button>');
    });
    const guarded = () => page.evaluate(() => {
      const button = document.querySelector<HTMLButtonElement>("#guarded")!;
      return { disabled: button.disabled, aria: button.getAttribute("aria-disabled"), html: document.documentElement.className };
    });
    expect(await guarded()).toEqual({ disabled: false, aria: null, html: "cable-connected" });

    await pumaDown();
    await waitForState(page, "disconnected");
    expect(await guarded()).toEqual({ disabled: true, aria: "true", html: "cable-disconnected" });

    await pumaUp();
    await waitForState(page, "connected");
    expect(await guarded()).toEqual({ disabled: false, aria: null, html: "cable-connected" });
    expect(await page.evaluate(() => (window as unknown as PageWindow).__states)).toEqual(["connecting", "connected", "disconnected", "connected"]);
    // The restored button works again.
    await page.click("#guarded");
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "1", null, { timeout: WAIT });
    expect((await need().stats()).runs).toEqual({ "Counter#increment": 1 });
    expect(errors).toEqual([]);
  });

  test("20 reflexes queued while puma is down, across a reload, run exactly once each, in order, after it returns", async () => {
    await offlineCache(context, `http://127.0.0.1:${port}`);
    const page = await openPage();
    const errors = watchErrors(page);
    const clientId = await page.evaluate(() => (window as unknown as PageWindow).courier.clientId);

    await pumaDown();
    await waitForState(page, "disconnected");
    for (let n = 1; n <= 5; n++) await queueBoth(page, n);
    await waitForPending(page, 10);
    expect(await outboxCount(page)).toBe(10);

    await page.reload(); // from the offline cache: puma is still down
    await page.waitForFunction(() => (window as unknown as PageWindow).courier !== undefined, null, { timeout: WAIT });
    await page.evaluate(() => (window as unknown as PageWindow).courier.ready);
    await waitForPending(page, 10);
    // A fresh clientId every page load (PROTOCOL.md §2): the first ten keep the first page's.
    const second = await page.evaluate(() => (window as unknown as PageWindow).courier.clientId);
    expect(second).not.toBe(clientId);
    for (let n = 6; n <= 10; n++) await queueBoth(page, n);
    await waitForPending(page, 20);
    expect(await outboxCount(page)).toBe(20);

    await pumaUp();
    await waitForState(page, "connected");
    await waitForPending(page, 0);
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "10", null, { timeout: WAIT });
    expect(await outboxCount(page)).toBe(0);
    // One more behind the twenty: once it has committed, nothing of theirs can still be in flight.
    await page.evaluate(() => (window as unknown as PageWindow).courier.stimulate("Log#append", { args: ["11"] }));

    const stats = await waitUntil(() => need().stats(), (s) => s.log.length >= 11, "11 log entries");
    expect(stats.log).toEqual(range(1, 11));
    expect(stats.runs).toEqual({ "Log#append": 11, "Counter#increment": 10 });
    expect(stats.counter).toBe(10);
    expect(stats.clients).toEqual({ "": { [clientId]: 10, [second]: 11 } });
    expect(await page.evaluate(() => (window as unknown as PageWindow).courier.pending)).toBe(0);
    expect(await page.evaluate(() => document.documentElement.getAttribute("data-cable-pending"))).toBe("0");
    expect(errors).toEqual([]);
  });
});
