// The Stimulus mixin as an importmap user loads it: dist/stimulus.js over ESM (its chunk by relative
// import, its dependencies pinned), a controller calling `useReflex(this)`, against our reference server.
// A committed reflex gets every StimulusReflex lifecycle call in order; a failing one gets reflexError.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createServer, morph, type CourierServer } from "../../src/server";
import { freshContext, launchBrowser, waitForPending, waitForState, waitUntil, watchErrors, WAIT } from "../support/browser";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

// What an importmap-rails app pins; dist/stimulus.js keeps these as bare imports.
const IMPORTS = {
  "@hotwired/stimulus": "/node_modules/@hotwired/stimulus/dist/stimulus.js",
  "@rails/actioncable": "/node_modules/@rails/actioncable/app/assets/javascripts/actioncable.esm.js",
  "idb-keyval": "/node_modules/idb-keyval/dist/index.js",
  morphdom: "/node_modules/morphdom/dist/morphdom-esm.js",
};

// Every lifecycle method StimulusReflex 3.5 calls, generic and per action, records its call.
const APP = (boot: string) => `
import { Application, Controller } from "@hotwired/stimulus";
import { useReflex } from "/dist/stimulus.js";
import { start } from "/dist/cable-courier.js";
${boot}
window.calls = [];
class CounterController extends Controller {
  connect() { useReflex(this); }
  boom() { this.stimulate("Counter#boom"); }
}
const stages = ["before", "queued", "delivered", "received", "success", "error", "halted", "forbidden", "after", "finalize"];
const cap = (s) => s[0].toUpperCase() + s.slice(1);
for (const stage of stages) {
  const prefixed = ["before", "after", "finalize"].includes(stage);
  const names = prefixed
    ? [stage + "Reflex", stage + "Increment", stage + "Boom"]
    : ["reflex" + cap(stage), "increment" + cap(stage), "boom" + cap(stage)];
  for (const name of names) {
    CounterController.prototype[name] = function (element, target, error, id) {
      window.calls.push({ name, element: element.id, target, error, id });
    };
  }
}
const application = Application.start();
application.register("counter", CounterController);
window.ready = true;
`;

const PAGE = (boot: string) => `<!doctype html><html><head><meta charset="utf-8">
<meta name="action-cable-url" content="/cable">
<script type="importmap">${JSON.stringify({ imports: IMPORTS })}</script>
<script type="module">${APP(boot)}</script></head><body>
<div id="counter" data-controller="counter">
  <p>Count: <span id="count">0</span></p>
  <button id="inc" data-reflex="click->Counter#increment">+1</button>
  <button id="boom" data-action="click->counter#boom">boom</button>
</div>
</body></html>`;

interface Call { name: string; element: string; target: string; error: string | null; id: string }
// Serialized into the page by playwright: it must not close over anything.
const calls = () => (window as unknown as { calls: Call[] }).calls;
const callNamed = (name: string) => (window as unknown as { calls: Call[] }).calls.some((c) => c.name === name);
const clearCalls = () => void ((window as unknown as { calls: Call[] }).calls.length = 0);

let browser: Browser;
let context: BrowserContext;
let server: CourierServer;
let runs: string[];
let count: number;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  runs = [];
  count = 0;
  server = createServer({
    static: ROOT, // /dist and /node_modules of this checkout
    routes: {
      "/": (_req, res) => void res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(PAGE("start();")),
      // The README's Stimulus example: useReflex in connect(), nothing at boot.
      "/lazy": (_req, res) => void res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(PAGE("")),
    },
    reflexes: {
      "Counter#increment": ({ id }) => {
        runs.push(id);
        return [morph("#count", String(++count))];
      },
      "Counter#boom": ({ id }) => {
        runs.push(id);
        throw new Error("boom");
      },
    },
  });
  await server.listen(0, "127.0.0.1");
  context = await freshContext(browser);
});

afterEach(async () => {
  await context?.close();
  await server?.close();
});

describe("useReflex from dist/stimulus.js", () => {
  test("a committed reflex calls every lifecycle method in StimulusReflex's order; a failed one calls reflexError", async () => {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(server.url);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, null, { timeout: WAIT });

    // A declarative reflex whose class names the controller runs through it, as in StimulusReflex.
    await page.click("#inc");
    await page.waitForFunction(callNamed, "finalizeReflex", { timeout: WAIT });
    await waitForState(page, "connected");
    expect(await page.textContent("#count")).toBe("1");
    expect(runs).toHaveLength(1);
    const committed = await page.evaluate(calls);
    expect(committed.map((c) => c.name)).toEqual([
      "beforeIncrement", "beforeReflex",
      "incrementQueued", "reflexQueued",
      "incrementDelivered", "reflexDelivered",
      "incrementReceived", "reflexReceived",
      "incrementSuccess", "reflexSuccess",
      "afterIncrement", "afterReflex",
      "finalizeIncrement", "finalizeReflex",
    ]);
    expect(committed.every((c) => c.target === "Counter#increment" && c.element === "inc" && c.error === null && c.id === runs[0])).toBe(true);

    await page.evaluate(clearCalls);
    await page.click("#boom");
    await page.waitForFunction(callNamed, "afterReflex", { timeout: WAIT });
    await waitForPending(page, 0);
    const failed = await page.evaluate(calls);
    expect(failed.map((c) => c.name)).toEqual([
      "beforeBoom", "beforeReflex",
      "boomQueued", "reflexQueued",
      "boomDelivered", "reflexDelivered",
      "boomReceived", "reflexReceived",
      "boomError", "reflexError",
      "afterBoom", "afterReflex",
    ]);
    const error = failed.find((c) => c.name === "reflexError")!;
    expect(error).toMatchObject({ target: "Counter#boom", element: "counter", id: runs[1] });
    expect(error.error).toContain("boom");
    expect(failed.filter((c) => c.name.startsWith("after")).every((c) => c.error === error.error)).toBe(true);

    expect(runs).toHaveLength(2);
    expect(server.stats).toMatchObject({ committed: 1, failed: 1, duplicates: 0, handlerRuns: { "Counter#increment": 1, "Counter#boom": 1 } });
    expect(await page.textContent("#count")).toBe("1");
    expect(errors).toEqual([]);
  });

  // A page that only calls useReflex (the README's Stimulus example, no start() at boot) must still have
  // the courier's trigger observer running before the first declarative click.
  test("useReflex alone wires a declarative reflex: the first click is not lost", async () => {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(server.url + "/lazy");
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, null, { timeout: WAIT });
    await page.click("#inc");
    await waitUntil(async () => runs.length, (n) => n > 0, "the click on data-reflex=click->Counter#increment to reach the server");
    await page.waitForFunction(callNamed, "finalizeReflex", { timeout: WAIT });
    expect(runs).toHaveLength(1);
    expect(await page.textContent("#count")).toBe("1");
    expect(errors).toEqual([]);
  });
});
