// One socket for the life of the tab: five Turbo Drive visits between two demo pages open exactly one
// WebSocket connection at the server, for the IIFE build (plain <script>) and for the ESM build
// (import map, with the Stimulus mixin on its second page). Counted at the demo server.
import { describe, expect, test } from "vitest";
import { freshContext, waitForState, waitUntil, watchErrors, WAIT } from "../support/browser";
import { runs, useDemo } from "../support/e2e-demo";

const world = useDemo();

const families = [
  { build: "ESM", first: "/", second: "/stimulus" },
  { build: "IIFE", first: "/iife", second: "/iife/counter" },
];

describe("e2e Turbo visits", () => {
  for (const { build, first, second } of families) {
    test(`${build}: five Turbo visits share one WebSocket connection, and reflexes work on the last page`, async () => {
      const context = await freshContext(world.browser);
      const page = await context.newPage();
      const errors = watchErrors(page);
      // Earlier tests' sockets must have closed, so the counts below are this page's alone.
      const before = await waitUntil(world.stats, (s) => s.connectionsOpened === s.connectionsClosed, "earlier sockets to close");
      await page.goto(world.demo.url + first);
      await waitForState(page, "connected");
      // A full page load would lose this; a Turbo visit keeps the window.
      await page.evaluate(() => (window.__marker = "same document"));

      for (let visit = 1; visit <= 5; visit++) {
        const path = visit % 2 === 1 ? second : first;
        await page.click(`nav a[href="${path}"]`);
        await page.waitForFunction(
          (p) => location.pathname === p && !document.documentElement.hasAttribute("aria-busy") && !!document.querySelector("#counter"),
          path,
          { timeout: WAIT },
        );
        expect(await page.evaluate(() => window.__marker)).toBe("same document");
      }
      expect(await page.evaluate(() => location.pathname)).toBe(second);
      await waitForState(page, "connected");

      // The socket still carries reflexes after the visits: one click, one run, one morph.
      const count = await page.evaluate(() => Number(document.querySelector("#counter")!.textContent));
      await page.click('[data-reflex="click->Counter#increment"]');
      await page.waitForFunction((n) => Number(document.querySelector("#counter")!.textContent) >= n, count + 1, { timeout: WAIT });
      const after = await waitUntil(world.stats, (s) => runs(s, "Counter#increment") > runs(before, "Counter#increment"), "the increment");

      expect(runs(after, "Counter#increment") - runs(before, "Counter#increment")).toBe(1);
      expect(after.connectionsOpened - before.connectionsOpened).toBe(1);
      expect(after.connectionsClosed - before.connectionsClosed).toBe(0);
      expect(await page.evaluate(() => window.__marker)).toBe("same document");
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  test("ESM: the Stimulus mixin's this.stimulate() commits through the shared socket", async () => {
    const context = await freshContext(world.browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const before = await world.stats();
    await page.goto(world.demo.url + "/stimulus");
    await waitForState(page, "connected");
    const count = await page.evaluate(() => Number(document.querySelector("#counter")!.textContent));
    await page.click('[data-action="counter#add"]');
    await page.waitForFunction(
      () => document.querySelector("[data-counter-target=status]")?.textContent === "Counter#increment committed",
      null,
      { timeout: WAIT },
    );
    expect(await page.evaluate(() => Number(document.querySelector("#counter")!.textContent))).toBe(count + 5);
    const after = await world.stats();
    expect(runs(after, "Counter#increment") - runs(before, "Counter#increment")).toBe(1);
    expect(after.counter - before.counter).toBe(5);
    expect(errors).toEqual([]);
    await context.close();
  });
});
