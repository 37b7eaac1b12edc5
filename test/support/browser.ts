// Headless Chromium for the end-to-end suite: one browser per test file, a fresh context (its own
// IndexedDB, cookies, sessionStorage) per test, so storage persists across a reload inside a test and
// never leaks into the next one.
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Generous limit for every condition the suite waits on (CI machines are slow, never sleep instead). */
export const WAIT = 30_000;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** A fresh context: empty IndexedDB, cookies and storage; 800×600 so screenshots fit the docs. */
export async function freshContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 800, height: 600 }, ...options });
}

/** Collects uncaught page errors; tests assert the list is empty at the end. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

/** Resolves once `<html>` reports `state` (connected, disconnected, ...). */
export async function waitForState(page: Page, state: string, timeout = WAIT): Promise<void> {
  await page.waitForFunction((s) => document.documentElement.getAttribute("data-cable-state") === s, state, {
    timeout,
  });
}

/** Resolves once `<html data-cable-pending>` shows `count`. */
export async function waitForPending(page: Page, count: number, timeout = WAIT): Promise<void> {
  await page.waitForFunction(
    (n) => (document.documentElement.getAttribute("data-cable-pending") ?? "0") === String(n),
    count,
    { timeout },
  );
}

/** Polls `probe` until it returns a value `done` accepts; throws with the last value after `timeout`. */
export async function waitUntil<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeout = WAIT,
): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: T | undefined;
  let delay = 25;
  while (Date.now() < deadline) {
    last = await probe();
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 250);
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
}
