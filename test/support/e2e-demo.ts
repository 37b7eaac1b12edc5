// The demo as `npm run demo` runs it (demo/server.mjs, in its own process) and the few things the demo
// tests read from it and its pages.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchBrowser, WAIT } from "./browser";
import { startDemoServer, type ServerProcess } from "./ref-server";

export interface DemoStats {
  connectionsOpened: number;
  connectionsClosed: number;
  handlerRuns: Record<string, number>;
  todos: Array<{ id: number; text: string; done: boolean }>;
  counter: number;
}

export interface DemoWorld {
  browser: Browser;
  demo: ServerProcess;
  stats(): Promise<DemoStats>;
}

/** One browser and one demo server for the whole file; tests open their own contexts. */
export function useDemo(): DemoWorld {
  const world = {} as DemoWorld;
  beforeAll(async () => {
    world.demo = await startDemoServer();
    world.browser = await launchBrowser();
    world.stats = () => world.demo.get<DemoStats>("/demo/stats");
  });
  afterAll(async () => {
    await world.browser?.close();
    await world.demo?.stop();
  });
  return world;
}

export const runs = (stats: DemoStats, target: string): number => stats.handlerRuns[target] ?? 0;

/** Types a todo with the keyboard and presses the Add button. */
export async function addTodo(page: Page, text: string): Promise<void> {
  await page.fill("#new-todo", text);
  await page.click(".add-button");
}

/** Waits until the page's list shows a todo with this text. */
export async function waitForTodo(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (t) => Array.from(document.querySelectorAll("#todo-list .text")).some((el) => el.textContent === t),
    text,
    { timeout: WAIT },
  );
}

/** A unique todo text, so tests sharing the demo's state never confuse each other's items. */
export const uniqueText = (label: string): string => `${label} ${Math.random().toString(36).slice(2, 8)}`;
