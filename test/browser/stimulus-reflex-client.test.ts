// Wire compatibility both ways (issue 4.5). The unmodified StimulusReflex 3.5.5 npm client (cable_ready
// 5.0.6, @hotwired/stimulus 3.2.2, @rails/actioncable), bundled here with rollup, drives a reflex against
// our reference server and applies its morph; and our client commits on the operations of a server that
// answers as plain StimulusReflex (`extension: false`). Effects are counted at the server.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import commonjs from "@rollup/plugin-commonjs";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { rollup } from "rollup";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createServer, morph, type CourierServer, type ReflexContext } from "../../src/server";
import type { Courier } from "../../src/courier";
import { freshContext, launchBrowser, waitForPending, waitForState, watchErrors, WAIT } from "../support/browser";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

// A Rails app's markup names the reflex as the SR client sends it: `click->Counter#increment` → "Counter#increment".
const PAGE = (head: string) => `<!doctype html><html><head><meta charset="utf-8">
<meta name="action-cable-url" content="/cable">${head}</head><body>
<p>Count: <span id="count">0</span></p>
<button id="inc" data-reflex="click->Counter#increment">+1</button>
</body></html>`;

// The app a StimulusReflex 3.5 user writes (app/javascript/controllers/index.js), without our code.
const SR_ENTRY = `
import { Application } from "@hotwired/stimulus";
import StimulusReflex from "stimulus_reflex";
import { createConsumer } from "@rails/actioncable";
const application = Application.start();
const consumer = createConsumer();
window.application = application;
window.srEvents = [];
for (const stage of ["before", "queued", "delivered", "success", "error", "after", "finalize"]) {
  // On window, capturing: before SR's own document listeners, which dispatch the next stage synchronously.
  window.addEventListener("stimulus-reflex:" + stage, (e) => window.srEvents.push([stage, e.detail.reflex, e.detail.id]), true);
}
StimulusReflex.initialize(application, { consumer });
`;

async function bundleStimulusReflexApp(dir: string): Promise<string> {
  const input = join(dir, "entry.js");
  writeFileSync(input, SR_ENTRY);
  const bundle = await rollup({
    input,
    plugins: [nodeResolve({ browser: true, modulePaths: [join(ROOT, "node_modules")] }), commonjs()],
    onwarn: (warning, warn) => {
      if (warning.code !== "CIRCULAR_DEPENDENCY" && warning.code !== "THIS_IS_UNDEFINED") warn(warning);
    },
  });
  const { output } = await bundle.generate({ format: "es" });
  await bundle.close();
  return output[0].code;
}

/** What the pages put on `window`. */
interface PageWindow {
  srEvents: [string, string, string][];
  application: { getControllerForElementAndIdentifier(element: Element, identifier: string): unknown };
  courier: Courier;
  committedId?: string;
}

let browser: Browser;
let context: BrowserContext;
let dir: string;
let appCode: string;
let server: CourierServer | undefined;
let calls: ReflexContext[];
let count: number;

const counter = {
  "Counter#increment": (c: ReflexContext) => {
    calls.push(c);
    return [morph("#count", String(++count))];
  },
  "Counter#boom": (c: ReflexContext) => {
    calls.push(c);
    throw new Error("boom");
  },
};

async function serve(extension: boolean, head: string): Promise<CourierServer> {
  server = createServer({
    extension,
    static: ROOT, // /dist and /node_modules of this checkout
    reflexes: counter,
    routes: {
      "/": (_req, res) => void res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(PAGE(head)),
      "/app.js": (_req, res) => void res.writeHead(200, { "Content-Type": "text/javascript" }).end(appCode),
    },
  });
  await server.listen(0, "127.0.0.1");
  return server;
}

interface Frame {
  type?: string;
  message?: { courier?: unknown; cableReady?: boolean; operations?: { reflexId?: string }[] };
}

/** Every frame the page's sockets received, parsed, for asserting what did (not) arrive. */
function recordFrames(page: Page): Frame[] {
  const frames: Frame[] = [];
  page.on("websocket", (ws) => ws.on("framereceived", ({ payload }) => frames.push(JSON.parse(String(payload)) as Frame)));
  return frames;
}

const extensionFrames = (frames: Frame[]) => frames.filter((f) => f.message?.courier !== undefined);
const answersTo = (frames: Frame[], id: string) =>
  frames.filter((f) => f.message?.cableReady === true && f.message.operations?.some((op) => op.reflexId === id));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sr-client-"));
  appCode = await bundleStimulusReflexApp(dir);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  calls = [];
  count = 0;
  context = await freshContext(browser);
});

afterEach(async () => {
  await context?.close();
  await server?.close();
  server = undefined;
});

describe("the StimulusReflex 3.5.5 client against our reference server", () => {
  test("an unstamped reflex runs once and is answered plain-StimulusReflex style; the stock client morphs and settles it", async () => {
    const { url } = await serve(true, `<script type="module" src="/app.js"></script>`);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const frames = recordFrames(page);
    await page.goto(url);
    // SR wires `data-reflex` to its own controller and marks <body> once the subscription is confirmed.
    await page.waitForSelector("#inc[data-action*='stimulus-reflex#__perform']", { timeout: WAIT });
    await page.waitForSelector("body.stimulus-reflex-connected", { timeout: WAIT });

    await page.click("#inc");
    await page.waitForFunction(() => (window as unknown as PageWindow).srEvents.some(([stage]) => stage === "finalize"), null, { timeout: WAIT });
    expect(await page.textContent("#count")).toBe("1");
    expect(calls).toHaveLength(1);
    expect(calls[0].target).toBe("Counter#increment");
    expect(calls[0].clientId).toBeUndefined();
    expect(calls[0].payload).toMatchObject({ version: "3.5.5", reflexController: "stimulus-reflex", url: url + "/" });
    const id = calls[0].id;
    expect(await page.evaluate(() => (window as unknown as PageWindow).srEvents.map(([stage]) => stage))).toEqual(["before", "delivered", "success", "after", "finalize"]);
    expect(await page.evaluate(() => (window as unknown as PageWindow).srEvents.every(([, target]) => target === "Counter#increment"))).toBe(true);
    expect(server!.stats).toMatchObject({ plain: 1, committed: 0, handlerRuns: { "Counter#increment": 1 } });
    // No courier params in SR's identifier: no hello, no acks, ever.
    expect(extensionFrames(frames)).toEqual([]);
    expect(answersTo(frames, id)).toHaveLength(1);

    // A failing reflex reaches the stock client as morph-error: its promise rejects with the server's message.
    const rejected = await page.evaluate(async () => {
      const button = document.querySelector("#inc")!;
      const sr = (window as unknown as PageWindow).application.getControllerForElementAndIdentifier(button, "stimulus-reflex") as unknown as {
        stimulate(target: string, element: Element): Promise<unknown>;
      };
      try {
        await sr.stimulate("Counter#boom", button);
        return "resolved";
      } catch (error) {
        return (error as { error?: string }).error ?? String(error);
      }
    });
    expect(rejected).toBe("boom");
    expect(calls.map((c) => c.target)).toEqual(["Counter#increment", "Counter#boom"]);
    expect(server!.stats.handlerRuns).toEqual({ "Counter#increment": 1, "Counter#boom": 1 });
    expect(await page.textContent("#count")).toBe("1");
    expect(errors).toEqual([]);
  });
});

describe("our client against a plain StimulusReflex server (extension: false)", () => {
  test("commits each reflex on its operations, fails it on morph-error, and runs each once", async () => {
    const head = `<script src="/dist/cable-courier.iife.min.js"></script><script>window.courier = CableCourier.start();</script>`;
    await serve(false, head);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const frames = recordFrames(page);
    await page.goto(server!.url);
    await waitForState(page, "connected");

    await page.evaluate(() => document.querySelector("#inc")!.addEventListener("courier:committed", (e) => {
      (window as unknown as PageWindow).committedId = (e as CustomEvent<{ id: string }>).detail.id;
    }, { once: true }));
    await page.click("#inc");
    const committed = await page.waitForFunction(() => (window as unknown as PageWindow).committedId, null, { timeout: WAIT });
    const clickedId = String(await committed.jsonValue());
    expect(await page.textContent("#count")).toBe("1");

    const result = await page.evaluate(async () => {
      const r = await (window as unknown as PageWindow).courier.stimulate("Counter#increment", { args: [2] });
      return { id: r.id, ops: r.operations.map((op) => op.operation) };
    });
    expect(result.ops).toContain("morph");
    expect(await page.textContent("#count")).toBe("2");

    const failure = await page.evaluate(() =>
      (window as unknown as PageWindow).courier.stimulate("Counter#boom").then(() => "resolved", (e: { reason?: string }) => e.reason ?? String(e)));
    expect(failure).toBe("failed");
    await waitForPending(page, 0);

    expect(calls.map((c) => [c.target, c.id])).toEqual([
      ["Counter#increment", clickedId], ["Counter#increment", result.id], ["Counter#boom", expect.any(String)],
    ]);
    expect(calls[1].args).toEqual([2]);
    // The payload still carries our stamp; a plain server ignores it.
    expect(calls.every((c) => c.clientId === undefined && typeof (c.payload.courier as { seq?: unknown })?.seq === "number")).toBe(true);
    expect(server!.stats).toMatchObject({ plain: 3, committed: 0, duplicates: 0, handlerRuns: { "Counter#increment": 2, "Counter#boom": 1 } });
    expect(extensionFrames(frames)).toEqual([]);
    expect(answersTo(frames, clickedId)).toHaveLength(1);
    expect(await page.evaluate(() => (window as unknown as PageWindow).courier.pending)).toBe(0);
    expect(errors).toEqual([]);
  });
});

