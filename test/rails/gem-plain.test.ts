// The gem's app with the gem left out (plain StimulusReflex 3.5.5 in puma): our client runs in plain mode.
// A burst queued while puma is down, across a reload, is replayed after it returns and runs once each in
// click order (plainWindow 1: one in flight at a time); a reflex method StimulusReflex does not know gets
// no answer at all, so it fails as `uncertain` after the page's short answerTimeout, never resent, and
// data-cable-pending is back to 0.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { freshContext, launchBrowser, waitForPending, waitForState, waitUntil, watchErrors } from "../support/browser";
import { startGemApp, type GemApp } from "./gem-app";
import { clickLabelled, labels, reloadReady, settledCount, type CourierWindow } from "./gem-pages";
import { offlineCache } from "./offline";

const ANSWER_TIMEOUT = 1500; // ms, the page's answerTimeout option

let browser: Browser;
let app: GemApp;

beforeAll(async () => {
  [browser, app] = await Promise.all([launchBrowser(), startGemApp({ plain: true })]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

test("plain mode: a burst queued offline is replayed in click order; an unknown reflex method fails as uncertain", async () => {
  const context = await freshContext(browser);
  try {
    await offlineCache(context, app.url);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/?user=frank&options=${encodeURIComponent(JSON.stringify({ answerTimeout: ANSWER_TIMEOUT }))}`);
    await waitForState(page, "connected");

    await app.down();
    await waitForState(page, "disconnected");
    for (const label of labels("p", 1, 4)) await clickLabelled(page, label);
    await reloadReady(page); // from the offline cache
    for (const label of labels("p", 5, 8)) await clickLabelled(page, label);
    await waitForPending(page, 8);
    await app.up();
    await waitForState(page, "connected");
    await settledCount(page, 8);
    const stats = await app.stats();
    expect(stats.notes).toEqual(labels("p", 1, 8)); // each once, in click order
    expect(stats.lanes).toEqual({}); // no gem, no lanes

    const outcome = await page.evaluate(() =>
      (window as unknown as CourierWindow).courier.stimulate("Counter#nope").then(
        () => "committed",
        (error: { reason?: string }) => error.reason,
      ),
    );
    expect(outcome).toBe("uncertain");
    await waitForPending(page, 0);
    await waitUntil(() => app.stats(), (s) => s.notes.length === 8, "no note for the unknown method");
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
}, 90_000);
