// Headless Chromium for the page-side figures. Each row gets a fresh context (fresh IndexedDB), and the
// page reports timestamps through a binding so page and parent share one clock: Date.now() on one machine.
import { chromium } from "playwright-core";

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export const launchBrowser = () => chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });

/** Marks the page reported: `window.benchMark(name, Date.now(), detail)`. */
export class Marks {
  constructor() {
    this.list = [];
    this.waiters = new Set();
  }

  add(name, t, detail) {
    const mark = { name, t, detail };
    this.list.push(mark);
    for (const waiter of this.waiters) waiter(mark);
  }

  /** The first mark named `name` at or after `since`; null when none came within `timeout` ms. */
  next(name, { since = 0, timeout = 30_000 } = {}) {
    const found = this.list.find((m) => m.name === name && m.t >= since);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const waiter = (mark) => {
        if (mark.name !== name || mark.t < since) return;
        done(mark);
      };
      const timer = setTimeout(() => done(null), timeout);
      const done = (mark) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(mark);
      };
      this.waiters.add(waiter);
    });
  }
}

/** A fresh context and page on the static server's blank page, with `benchMark` bound. */
export async function openPage(browser, baseUrl) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const marks = new Marks();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.exposeBinding("benchMark", (_source, name, t, detail) => marks.add(name, t, detail));
  await page.goto(`${baseUrl}/`);
  return { context, page, marks, errors, close: () => context.close() };
}

/** Loads the built IIFE (global CableCourier) into the page. */
export async function loadCourier(page, baseUrl) {
  await page.addScriptTag({ url: `${baseUrl}/dist/cable-courier.iife.min.js` });
}
