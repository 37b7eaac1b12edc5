// A browser test fixture: the reference server serving the repo (dist/, node_modules/) plus a few HTML
// pages, with a `Counter#increment` reflex that morphs #count, and one headless Chromium for the file.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { createServer, morph, type CourierServer } from "../../src/server";
import { launchBrowser } from "./browser";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

export interface CounterFixture {
  readonly server: CourierServer;
  readonly browser: Browser;
  /** How often Counter#increment ran (pages may render it). */
  readonly count: number;
}

/** Registers beforeAll/afterAll; `pages` maps a path to the HTML it serves, rendered on each request. */
export function counterFixture(pages: Record<string, (count: number) => string>): CounterFixture {
  const state = { server: undefined as unknown as CourierServer, browser: undefined as unknown as Browser, count: 0 };
  beforeAll(async () => {
    const routes = Object.fromEntries(
      Object.entries(pages).map(([path, html]) => [
        path,
        (_req: unknown, res: import("node:http").ServerResponse) => {
          res.writeHead(200, { "content-type": "text/html" }).end(html(state.count));
        },
      ]),
    );
    state.server = createServer({
      static: root,
      routes,
      reflexes: { "Counter#increment": () => [morph("#count", String(++state.count), { childrenOnly: true })] },
    });
    await state.server.listen(0);
    state.browser = await launchBrowser();
  });
  afterAll(async () => {
    await state.browser?.close();
    await state.server?.close();
  });
  return state;
}
