// Page-side steps the gem's browser tests share: a click whose note at the server carries a label of
// the test's, a reload that waits for the outbox to load, and the page's count once nothing is pending.
import type { Page } from "playwright-core";
import { waitForPending, WAIT } from "../support/browser";

export type CourierWindow = { courier: import("../../src/courier").Courier; __slow?: Promise<string> };

/** A real click on `#increment` (or `button`), its note at the server labelled `label`. */
export async function clickLabelled(page: Page, label: string, button = "#increment"): Promise<void> {
  await page.evaluate(([selector, value]) => document.querySelector(selector!)!.setAttribute("data-label", value!), [button, label]);
  await page.click(button);
}

/** Reloads and resolves once the new page's outbox has loaded what the last one left. */
export async function reloadReady(page: Page): Promise<void> {
  await page.reload();
  await page.waitForFunction(() => (window as unknown as CourierWindow).courier !== undefined, null, { timeout: WAIT });
  await page.evaluate(() => (window as unknown as CourierWindow).courier.ready);
}

/** Waits for nothing pending, then for `#count` to read `count`. */
export async function settledCount(page: Page, count: number): Promise<void> {
  await waitForPending(page, 0);
  await page.waitForFunction((n) => document.querySelector("#count")?.textContent === String(n), count, { timeout: WAIT });
}

export const labels = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);
