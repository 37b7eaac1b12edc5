// What a developer loads without a bundler, in Chromium against the reference server on 127.0.0.1:
// an import map pinning only Stimulus and dist/stimulus.bundle.js; the IIFE's `CableCourier.useReflex`;
// and a refused connection named once on the console.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from "vitest";
import { createServer, morph, type CourierServer } from "../../src/server";
import { freshContext, launchBrowser, waitForState, waitUntil, watchErrors, WAIT } from "../support/browser";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const HTML = { "Content-Type": "text/html; charset=utf-8" };
// Served by a route: the static handler does not follow a symlinked node_modules out of the root.
const STIMULUS = readFileSync(resolve(ROOT, "node_modules/@hotwired/stimulus/dist/stimulus.js"), "utf8");

const BODY = `<div id="counter" data-controller="counter">
  <span id="count">0</span><button id="inc" data-action="click->counter#increment">+1</button></div>`;

// The README's importmap-rails pins: Stimulus and the one self-contained file, nothing else.
const IMPORT_MAP_PAGE = `<!doctype html><html><head><meta charset="utf-8">
<meta name="action-cable-url" content="/cable">
<script type="importmap">${JSON.stringify({
  imports: {
    "@hotwired/stimulus": "/vendor/stimulus.js",
    "cable-courier/stimulus-bundle": "/dist/stimulus.bundle.js",
  },
})}</script>
<script type="module">
import { Application } from "@hotwired/stimulus";
import { ReflexController } from "cable-courier/stimulus-bundle";
class CounterController extends ReflexController {
  increment() { this.stimulate("Counter#increment").then(() => (window.done = (window.done ?? 0) + 1)); }
}
Application.start().register("counter", CounterController);
</script></head><body>${BODY}</body></html>`;

// The script tag: the IIFE global, with Stimulus from wherever the page gets it.
const IIFE_PAGE = `<!doctype html><html><head><meta charset="utf-8">
<meta name="action-cable-url" content="/cable">
<script src="/dist/cable-courier.iife.min.js"></script>
<script type="module">
import { Application, Controller } from "/vendor/stimulus.js";
class CounterController extends Controller {
  connect() { CableCourier.useReflex(this); }
  increment() { this.stimulate("Counter#increment").then(() => (window.done = (window.done ?? 0) + 1)); }
}
Application.start().register("counter", CounterController);
</script></head><body>${BODY}</body></html>`;

let browser: Browser;
let context: BrowserContext;
let server: CourierServer;
let count = 0;
let modules: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  count = 0;
  server = createServer({
    static: ROOT,
    logger: false,
    authenticate: (request) => !(request.url ?? "").includes("refuse"),
    routes: {
      "/importmap": (_req, res) => void res.writeHead(200, HTML).end(IMPORT_MAP_PAGE),
      "/iife": (_req, res) => void res.writeHead(200, HTML).end(IIFE_PAGE),
      "/vendor/stimulus.js": (_req, res) => void res.writeHead(200, { "Content-Type": "text/javascript" }).end(STIMULUS),
      "/refused": (_req, res) =>
        void res.writeHead(200, HTML).end(`<!doctype html><html><head><meta name="action-cable-url" content="/cable?refuse=1">
<script src="/dist/cable-courier.iife.min.js"></script><script>CableCourier.start();</script></head><body></body></html>`),
    },
    reflexes: { "Counter#increment": () => [morph("#count", String(++count))] },
  });
  await server.listen(0, "127.0.0.1");
  context = await freshContext(browser);
  modules = [];
});
afterEach(async () => {
  await context?.close();
  await server?.close();
});

async function clickThrough(page: Page): Promise<void> {
  await waitForState(page, "connected");
  await page.click("#inc");
  await page.waitForFunction(() => (window as unknown as { done?: number }).done === 1, null, { timeout: WAIT });
  expect(await page.textContent("#count")).toBe("1");
}

test("an import map with two pins (Stimulus, cable-courier/stimulus-bundle) runs a ReflexController, loading one file of ours", async () => {
  const page = await context.newPage();
  const errors = watchErrors(page);
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith("/dist/") || path.startsWith("/vendor/")) modules.push(path);
  });
  await page.goto(`${server.url}/importmap`);
  await clickThrough(page);
  expect(modules.filter((m) => m.startsWith("/dist/") && m.endsWith(".js"))).toEqual(["/dist/stimulus.bundle.js"]);
  expect(modules.filter((m) => m.startsWith("/vendor/"))).toEqual(["/vendor/stimulus.js"]);
  expect(errors).toEqual([]);
});

test("the IIFE global has useReflex: a script-tag page's controller stimulates through it", async () => {
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}/iife`);
  expect(await page.evaluate(() => typeof (window as unknown as { CableCourier: { useReflex?: unknown } }).CableCourier.useReflex)).toBe("function");
  await clickThrough(page);
  expect(errors).toEqual([]);
});

test("a refused connection: cable-refused on <html>, and one console warning naming the reason and the URL", async () => {
  const page = await context.newPage();
  const warnings: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "warning") warnings.push(message.text());
  });
  await page.goto(`${server.url}/refused`);
  await waitForState(page, "refused");
  expect(await page.evaluate(() => document.documentElement.classList.contains("cable-refused"))).toBe(true);
  const named = await waitUntil(
    async () => warnings.filter((w) => w.includes("unauthorized") && w.includes("/cable?refuse=1")),
    (found) => found.length > 0,
    "the warning",
  );
  expect(named).toHaveLength(1);
  expect(await page.evaluate(() => (window as unknown as { CableCourier: { start(): { lastDisconnect: unknown } } }).CableCourier.start().lastDisconnect)).toEqual({
    reason: "unauthorized",
    reconnect: false,
  });
});
