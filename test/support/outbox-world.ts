// For the outbox browser tests: the pages come from a small server of their own, so they load (and
// reload) while the cable server is down; the cable server is the in-process reference server with a
// `Counter#increment` reflex, restartable on the same port with the same dedup store.
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { createServer, morph, MemoryStore, type CourierServer } from "../../src/server";
import { WAIT } from "./browser";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A counter page: its courier, `window.__stale` (courier:stale details) and `window.__ready`. */
export const counterPage = (count: number, cableUrl: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>counter</title>
<script type="module">
  import { start } from "/dist/cable-courier.bundle.js";
  window.__stale = [];
  document.addEventListener("courier:stale", (event) => window.__stale.push(event.detail.reflexes));
  window.courier = start({ url: ${JSON.stringify(cableUrl)} });
  window.courier.ready.then(() => { window.__ready = true; });
</script></head>
<body><span id="count">${count}</span><button id="plus" data-reflex="click->Counter#increment">+1</button></body></html>`;

/** Resolves once the page's courier is ready (its outbox loaded). */
export const courierReady = (page: Page) =>
  page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true, null, { timeout: WAIT });

export interface OutboxWorld {
  /** How often Counter#increment ran, across restarts. */
  readonly runs: number;
  /** The page server's URL of `path`. */
  page(path: string): string;
  /** Stops the cable server (the pages still load). */
  down(): Promise<void>;
  /** Starts it again on its port with the same store. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** `html(count, cableUrl)` renders a page; `count` is the server's current count. */
export async function outboxWorld(pages: Record<string, (count: number, cableUrl: string) => string>): Promise<OutboxWorld> {
  const store = new MemoryStore();
  let runs = 0;
  let port = 0;
  let cable: CourierServer | undefined;
  const up = async () => {
    cable = createServer({
      store,
      allowedOrigins: () => true, // the pages come from another port of 127.0.0.1
      reflexes: { "Counter#increment": () => [morph("#count", String(++runs), { childrenOnly: true })] },
    });
    await cable.listen(port);
    port = cable.port;
  };
  await up();
  const http: Server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const render = pages[url.pathname];
    if (render) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(render(runs, `ws://127.0.0.1:${port}/cable`));
    } else if (/^\/dist\/[\w.-]+$/.test(url.pathname)) {
      try {
        const body = readFileSync(ROOT + url.pathname.slice(1));
        res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" }).end(body);
      } catch {
        res.writeHead(404).end("not found");
      }
    } else res.writeHead(404).end("not found");
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    get runs() {
      return runs;
    },
    page: (path) => base + path,
    down: async () => {
      await cable?.close();
      cable = undefined;
    },
    up,
    close: async () => {
      await cable?.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
