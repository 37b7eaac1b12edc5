// The short fault campaign of `npm test`: two seeds, a few hundred clicks, every fault kind. Lost (after
// courier:queued or before it: the journal in localStorage outlives a closed tab, RELIABILITY.md finding 4),
// duplicated and out of order fail it. Never shown and convergence before the final reload are measured
// and printed, not failed; `npm run chaos` is strict on all of them.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchBrowser } from "../support/browser";
import { runCampaign } from "./campaign";
import { FAULT_KINDS } from "./faults";
import { formatResult } from "./report";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

for (const seed of [1, 2]) {
  test(`chaos seed ${seed}: 150 clicks under seeded faults, each accepted click ran exactly once and in order`, async () => {
    const result = await runCampaign(browser, {
      seed,
      reflexes: 150,
      tabs: seed === 1 ? 2 : 3,
      // Slower clicks and short gaps between faults: every fault kind comes up at least once per seed.
      clickGap: [40, 400],
      faultGap: [50, 300],
      maxMs: 60_000,
      strict: { lostBeforeDurable: true, convergenceBeforeReload: false },
    });
    console.log(formatResult(result));
    expect(result.figures.clicks).toBeGreaterThanOrEqual(150);
    // Every kind was injected (a cut armed when no ack came within 3 s is logged as "<kind> (no ack seen)").
    expect(new Set(Object.keys(result.figures.faults).map((k) => k.replace(/ \(.*\)$/, ""))).size).toBe(FAULT_KINDS.length);
    expect(result.violations.map((v) => `[${v.rule}] ${v.message}`)).toEqual([]);
  }, 180_000);
}
