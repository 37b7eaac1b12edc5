// The per-test world of the delivery tests: a fresh reference server process (its own state file), a
// page server in this process pointing at it, and a fresh browser context. One browser per file.
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { freshContext, launchBrowser } from "./browser";
import { startPageServer, type PageServer } from "./e2e-pages";
import { startRefServer, type RefServer } from "./ref-server";

export interface World {
  browser: Browser;
  ref: RefServer;
  pages: PageServer;
  context: BrowserContext;
  /** Uncaught errors of every page of the context; each test ends by expecting none. */
  errors: string[];
}

/** Registers the hooks and returns the world, filled in before each test runs. */
export function useWorld(): World {
  const world = { errors: [] as string[] } as World;
  beforeAll(async () => {
    world.browser = await launchBrowser();
  });
  afterAll(async () => {
    await world.browser?.close();
  });
  beforeEach(async () => {
    world.ref = await startRefServer();
    world.pages = await startPageServer(() => `ws://127.0.0.1:${world.ref.port}/cable`);
    world.context = await freshContext(world.browser);
    world.errors = [];
    world.context.on("page", (page) => page.on("pageerror", (error) => world.errors.push(error.message)));
  });
  afterEach(async () => {
    await world.context?.close();
    await world.pages?.close();
    await world.ref?.stop();
  });
  return world;
}
