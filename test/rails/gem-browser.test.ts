// Our IIFE client in Chromium against the gem's Rails app (test/rails/gem/config.ru) in puma: with the
// gem, clicks are stamped reflexes that run exactly once each and the page shows the count; with the gem
// left out (plain StimulusReflex), the client works in plain mode against the same app: every click runs
// and the page shows the server's count (plain mode is at-least-once: a slow answer may be resent).
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { freshContext, launchBrowser, waitForState, waitUntil, watchErrors } from "../support/browser";
import { startGemApp } from "./gem-app";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

for (const plain of [false, true]) {
  test(`${plain ? "plain StimulusReflex (gem left out)" : "with the gem"}: three clicks run and the page shows the server's count`, async () => {
    const app = await startGemApp({ plain });
    const context = await freshContext(browser);
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto(`${app.url}/?user=alice`);
      await waitForState(page, "connected");
      for (let i = 0; i < 3; i++) await page.click("#increment");
      await waitUntil(() => app.stats(), (s) => s.notes.length >= 3, "three notes at the server");
      await waitUntil(
        async () => [await page.textContent("#count"), String((await app.stats()).notes.length)],
        ([shown, counted]) => shown === counted,
        "the page to show the server's count",
      );
      const stats = await app.stats();
      if (plain) {
        expect(stats.notes.length).toBeGreaterThanOrEqual(3);
        expect(stats.lanes).toEqual({}); // no gem, no lanes
      } else {
        expect(stats.notes).toEqual(["click", "click", "click"]); // exactly once
        expect(Object.values(stats.lanes)).toEqual([3]); // one lane: this page load's clientId
        expect(await page.textContent("#count")).toBe("3");
      }
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await app.stop();
    }
  }, 90_000);
}
