// What a developer sees on the console without `debug`, in Chromium (a console spy on the real page):
// a failed reflex nobody handles, an operation that did not apply, a cable URL that never answers, and
// start() called again with other options — each named once. The IIFE page against the reference server.
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from "vitest";
import { createServer, morph, type CourierServer } from "../../src/server";
import { freshContext, launchBrowser, waitForState, waitUntil, watchErrors } from "../support/browser";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const HTML = { "Content-Type": "text/html; charset=utf-8" };
const page = (cableUrl: string) => `<!doctype html><html><head><meta charset="utf-8">
<meta name="action-cable-url" content="${cableUrl}">
<script src="/dist/cable-courier.iife.min.js"></script><script>CableCourier.start();</script>
</head><body><p id="here">here</p></body></html>`;

let browser: Browser;
let context: BrowserContext;
let server: CourierServer;
/** Answers every WebSocket upgrade by closing the socket, and counts them: a cable URL that never connects. */
let deadCable: Server;
let upgrades = 0;
const ran: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  ran.length = 0;
  upgrades = 0;
  deadCable = createHttpServer((_req, res) => void res.writeHead(404).end());
  deadCable.on("upgrade", (_req, socket) => {
    upgrades++;
    socket.destroy();
  });
  await new Promise<void>((done) => deadCable.listen(0, "127.0.0.1", done));
  const deadUrl = `ws://127.0.0.1:${(deadCable.address() as AddressInfo).port}/cable`;
  server = createServer({
    static: ROOT,
    logger: false,
    routes: {
      "/page": (_req, res) => void res.writeHead(200, HTML).end(page("/cable")),
      "/dead": (_req, res) => void res.writeHead(200, HTML).end(page(deadUrl)),
    },
    reflexes: {
      "Boom#caught": () => {
        ran.push("caught");
        throw new Error("caught on purpose");
      },
      "Boom#ignored": () => {
        ran.push("ignored");
        throw new Error("ignored on purpose");
      },
      "Op#missing": () => {
        ran.push("missing");
        return [morph("#nowhere-at-all", "<p id=nowhere-at-all>x</p>")];
      },
    },
  });
  await server.listen(0, "127.0.0.1");
  context = await freshContext(browser);
});
afterEach(async () => {
  await context?.close();
  await server?.close();
  await new Promise((done) => deadCable.close(done));
});

/** Every console warning of the page, as text. */
function spyWarnings(p: Page): string[] {
  const warnings: string[] = [];
  p.on("console", (message) => {
    if (message.type() === "warning") warnings.push(message.text());
  });
  return warnings;
}

async function connectedPage(): Promise<{ p: Page; warnings: string[]; errors: string[] }> {
  const p = await context.newPage();
  const warnings = spyWarnings(p);
  const errors = watchErrors(p);
  await p.goto(`${server.url}/page`);
  await waitForState(p, "connected");
  return { p, warnings, errors };
}

test("a failed reflex nobody handles warns once, naming it; one whose promise is caught does not", async () => {
  const { p, warnings, errors } = await connectedPage();
  await p.evaluate(() => {
    const courier = (window as unknown as { CableCourier: { start(): { stimulate(t: string): Promise<unknown> } } }).CableCourier.start();
    courier.stimulate("Boom#caught").catch(() => undefined);
    void courier.stimulate("Boom#ignored");
  });
  const named = await waitUntil(async () => warnings.filter((w) => w.includes("Boom#ignored")), (found) => found.length > 0, "the warning");
  expect(named).toHaveLength(1);
  expect(named[0]).toContain("nothing handled it");
  await waitUntil(async () => p.getAttribute("html", "data-cable-pending"), (pending) => pending === "0", "pending 0");
  expect(ran.sort()).toEqual(["caught", "ignored"]);
  expect(warnings.filter((w) => w.includes("Boom#caught"))).toEqual([]);
  expect(errors).toEqual([]);
});

test("an operation that does not apply warns without debug, naming the operation and its selector", async () => {
  const { p, warnings, errors } = await connectedPage();
  await p.evaluate(() =>
    (window as unknown as { CableCourier: { start(): { stimulate(t: string): Promise<unknown> } } }).CableCourier.start().stimulate("Op#missing"),
  );
  const named = await waitUntil(async () => warnings.filter((w) => w.includes("#nowhere-at-all")), (found) => found.length > 0, "the warning");
  expect(named).toEqual([expect.stringContaining("morph")]);
  expect(ran).toEqual(["missing"]);
  expect(errors).toEqual([]);
});

test("a cable URL that never connects is named once, however many attempts fail", async () => {
  const p = await context.newPage();
  const warnings = spyWarnings(p);
  const errors = watchErrors(p);
  await p.goto(`${server.url}/dead`);
  // Counted where the attempts land, so "once" is judged after many failures, not after the first.
  await waitUntil(async () => upgrades, (count) => count >= 8, "eight failed attempts");
  const url = `127.0.0.1:${(deadCable.address() as AddressInfo).port}/cable`;
  const named = warnings.filter((w) => w.includes(url));
  expect(named).toEqual([expect.stringContaining("cannot connect")]);
  expect(await p.getAttribute("html", "data-cable-state")).not.toBe("connected");
  expect(errors).toEqual([]);
});

test("start() again with other options warns once, naming them; start() with none does not", async () => {
  const { p, warnings } = await connectedPage();
  const same = await p.evaluate(() => {
    const cc = (window as unknown as { CableCourier: { start(o?: object): unknown } }).CableCourier;
    const first = cc.start();
    return [cc.start() === first, cc.start({ maxQueue: 5 }) === first, cc.start({ maxQueue: 6, ackTimeout: 1 }) === first];
  });
  expect(same).toEqual([true, true, true]);
  const warned = await waitUntil(async () => warnings.filter((w) => w.includes("start()")), (found) => found.length > 0, "the warning");
  expect(warned).toHaveLength(1);
  expect(warned[0]).toContain("maxQueue");
});
