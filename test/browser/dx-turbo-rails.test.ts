// Sharing turbo-rails' consumer, as the README's how-to writes it: the page loads @hotwired/turbo-rails'
// own build (app/assets/javascripts/turbo.js, what importmap-rails pins; it carries its own ActionCable),
// takes its consumer from `cable.getConsumer()` and hands it to `start({ consumer })`. A
// <turbo-cable-stream-source> subscribes through the same consumer. The reference server has no
// Turbo::StreamsChannel, so the stream element subscribes to its reflex channel under its own identifier
// (a signed stream name) and hears the server's broadcasts there. Counted: WebSocket constructions in the
// page (a wrapper installed before any script) and connections at the server.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createServer, morph, type CourierServer } from "../../src/server";
import { freshContext, launchBrowser, waitForState, waitUntil, watchErrors, WAIT } from "../support/browser";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const PAGE = `<!doctype html><html><head><meta charset="utf-8">
<meta name="action-cable-url" content="/cable">
<script type="module">
import { cable } from "/node_modules/@hotwired/turbo-rails/app/assets/javascripts/turbo.js";
import { start } from "/dist/cable-courier.bundle.js";
window.courier = start({ consumer: await cable.getConsumer() });
</script></head><body>
<turbo-cable-stream-source channel="StimulusReflex::Channel" signed-stream-name="todos"></turbo-cable-stream-source>
<span id="count">0</span><button id="inc" data-reflex="click->Counter#increment">+1</button>
</body></html>`;

let browser: Browser;
let server: CourierServer;
let count = 0;

beforeAll(async () => {
  browser = await launchBrowser();
  server = createServer({
    static: ROOT,
    logger: false,
    routes: { "/turbo-rails": (_req, res) => void res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(PAGE) },
    reflexes: { "Counter#increment": () => [morph("#count", String(++count))] },
  });
  await server.listen(0, "127.0.0.1");
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test("turbo-rails' consumer shared with start({ consumer }): one WebSocket carries a Turbo stream subscription and the courier's reflexes", async () => {
  const context = await freshContext(browser);
  try {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.addInitScript(() => {
      const Native = window.WebSocket;
      const w = window as unknown as { sockets: string[]; streamMessages: unknown[] };
      w.sockets = [];
      w.streamMessages = [];
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          w.sockets.push(String(url));
        }
      };
      addEventListener("DOMContentLoaded", () =>
        document.querySelector("turbo-cable-stream-source")!.addEventListener("message", (event) => w.streamMessages.push((event as MessageEvent).data)),
      );
    });
    await page.goto(`${server.url}/turbo-rails`);
    await waitForState(page, "connected");
    await page.waitForFunction(() => document.querySelector("turbo-cable-stream-source")?.hasAttribute("connected"), null, { timeout: WAIT });

    // The courier's reflex over the shared socket: run once at the server, its morph shown.
    await page.click("#inc");
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "1", null, { timeout: WAIT });
    expect(server.stats.handlerRuns["Counter#increment"]).toBe(1);

    // A broadcast reaches both subscriptions: the stream element's message event and the courier's morph.
    const sent = server.broadcast([morph("#count", "42")]);
    expect(sent).toBeGreaterThanOrEqual(2);
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "42", null, { timeout: WAIT });
    await page.waitForFunction(() => (window as unknown as { streamMessages: unknown[] }).streamMessages.some((m) => JSON.stringify(m).includes("42")), null, { timeout: WAIT });

    expect(await page.evaluate(() => (window as unknown as { sockets: string[] }).sockets)).toEqual([expect.stringMatching(/\/cable$/)]);
    await waitUntil(async () => server.connectionCount, (n) => n === 1, "one connection at the server");
    expect(server.stats.connectionsOpened).toBe(1);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});
