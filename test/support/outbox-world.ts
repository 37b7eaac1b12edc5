// For the outbox browser tests: the pages come from a small server of their own, so they load (and
// reload) while the cable server is down; the cable server (by default the in-process reference server,
// or any `CableFactory`, such as the StimulusReflex fake) has a `Counter#increment` reflex and is
// restartable on the same port with the same dedup store.
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { createServer, morph, MemoryStore, type ReflexHandler } from "../../src/server";
import { WAIT } from "./browser";
import { startStimulusReflexFake, type FakeLog, type FakeOptions } from "./sr-fake";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * A counter page: its courier, started with the JSON of the `options` query parameter; `window.__stale`
 * (courier:stale details), `window.__events` (every courier:<stage> event, in order) and `window.__ready`.
 */
export const counterPage = (count: number, cableUrl: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>counter</title>
<script type="module">
  import { start } from "/dist/cable-courier.bundle.js";
  window.__stale = [];
  window.__events = [];
  document.addEventListener("courier:stale", (event) => window.__stale.push(event.detail.reflexes));
  for (const stage of ["queued", "sent", "committed", "failed"]) {
    document.addEventListener("courier:" + stage, ({ detail }) => window.__events.push({ stage, id: detail.id, reason: detail.reason }));
  }
  const options = JSON.parse(new URLSearchParams(location.search).get("options") ?? "{}");
  window.courier = start({ url: ${JSON.stringify(cableUrl)}, ...options });
  window.courier.ready.then(() => { window.__ready = true; });
</script></head>
<body><span id="count">${count}</span><button id="plus" data-reflex="click->Counter#increment">+1</button></body></html>`;

/** Resolves once the page's courier is ready (its outbox loaded). */
export const courierReady = (page: Page) =>
  page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true, null, { timeout: WAIT });

export interface StageEvent {
  stage: "queued" | "sent" | "committed" | "failed";
  id: string;
  reason?: string;
}

/** The courier:<stage> events this page heard, in order (a reload starts a new list). */
export const stageEvents = (page: Page): Promise<StageEvent[]> =>
  page.evaluate(() => (window as unknown as { __events: StageEvent[] }).__events);

/** Waits until this page heard `count` courier:<stage> events; resolves with their reflex ids, in order. */
export async function waitForStage(page: Page, stage: StageEvent["stage"], count: number): Promise<string[]> {
  await page.waitForFunction(
    ([s, n]) => (window as unknown as { __events: StageEvent[] }).__events.filter((e) => e.stage === s).length >= n,
    [stage, count] as const,
    { timeout: WAIT },
  );
  return (await stageEvents(page)).filter((e) => e.stage === stage).map((e) => e.id);
}

/** What a cable server needs from the world: its port (0 = any), the reflexes, the dedup store. */
export interface CableSetup {
  port: number;
  reflexes: Record<string, ReflexHandler>;
  store: MemoryStore;
}

/** Starts a cable server at `ws://127.0.0.1:<port>/cable`. */
export type CableFactory = (setup: CableSetup) => Promise<{ port: number; close(): Promise<void> }>;

/** The reference server; `extension: false` makes it a plain StimulusReflex server (no hello, no acks). */
export const referenceCable = (extension = true): CableFactory => async ({ port, reflexes, store }) => {
  const server = createServer({ store, extension, reflexes, allowedOrigins: () => true }); // pages come from another port
  await server.listen(port);
  return server;
};

/** The four-worker StimulusReflex fake (sr-fake.ts); every restart writes to the same `log`. */
export const stimulusReflexCable = (log: FakeLog, options: Omit<FakeOptions, "reflexes" | "port" | "log"> = {}): CableFactory =>
  ({ port, reflexes }) => startStimulusReflexFake({ ...options, reflexes, port, log });

export interface OutboxWorld {
  /** How often Counter#increment ran, across restarts. */
  readonly runs: number;
  /** The reflex ids Counter#increment ran, in the order it started them, across restarts. */
  readonly ran: readonly string[];
  /** From now on Counter#increment, once started, waits before it answers (the answers stay out). */
  hold(): void;
  /** Lets every waiting Counter#increment answer. */
  release(): void;
  /** The page server's URL of `path`; `options` go to the counter page's `start()`. */
  page(path: string, options?: Record<string, unknown>): string;
  /** Stops the cable server (the pages still load). */
  down(): Promise<void>;
  /** Starts it again on its port with the same store. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `html(count, cableUrl)` renders a page; `count` is the server's current count. Counter#increment
 * answers with the count its own run made, so answers arriving out of run order show on the page.
 */
export async function outboxWorld(
  pages: Record<string, (count: number, cableUrl: string) => string>,
  cableFactory: CableFactory = referenceCable(),
): Promise<OutboxWorld> {
  const store = new MemoryStore();
  const ran: string[] = [];
  let gate: Promise<void> | undefined;
  let open = () => {};
  const reflexes: Record<string, ReflexHandler> = {
    "Counter#increment": async ({ id }) => {
      ran.push(id);
      const count = ran.length;
      await gate;
      return [morph("#count", String(count), { childrenOnly: true })];
    },
  };
  let port = 0;
  let cable: { port: number; close(): Promise<void> } | undefined;
  const up = async () => {
    cable = await cableFactory({ port, reflexes, store });
    port = cable.port;
  };
  await up();
  const http: Server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const render = pages[url.pathname];
    if (render) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(render(ran.length, `ws://127.0.0.1:${port}/cable`));
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
      return ran.length;
    },
    ran,
    hold: () => {
      gate ??= new Promise<void>((resolve) => (open = resolve));
    },
    release: () => {
      open();
      gate = undefined;
    },
    page: (path, options) => base + path + (options ? `?options=${encodeURIComponent(JSON.stringify(options))}` : ""),
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
