// What the end-to-end tests read from and do to a page of test/support/e2e-pages.ts.
import type { Page } from "playwright-core";
import { WAIT } from "./browser";

export interface PageEvent {
  type: string;
  id?: string;
  target?: string;
  seq?: number;
  stage?: string;
  state?: string;
}

interface TestWindow {
  __events: PageEvent[];
  __ready?: boolean;
}

/** Resolves once the page's courier has loaded what earlier pages left in the outbox. */
export async function waitForCourier(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as TestWindow).__ready === true, null, { timeout: WAIT });
}

/** A real click on the record button, with `n` typed into the form the payload serializes. */
export async function clickRecord(page: Page, n: number): Promise<void> {
  await page.fill("#n", String(n));
  await page.click("#record");
}

export function pageEvents(page: Page): Promise<PageEvent[]> {
  return page.evaluate(() => (window as unknown as TestWindow).__events);
}

/** Waits until the page has heard `type` for reflex `id` (or for any reflex when `id` is omitted). */
export async function waitForEvent(page: Page, type: string, id?: string): Promise<void> {
  await page.waitForFunction(
    ([t, i]) => (window as unknown as TestWindow).__events.some((e) => e.type === t && (i === null || e.id === i)),
    [type, id ?? null] as const,
    { timeout: WAIT },
  );
}

export interface StoredRecord {
  id: string;
  identity: string;
  clientId: string;
  seq: number;
  target: string;
}

/** The reflex records in the page origin's IndexedDB outbox (database cable-courier, keys ["r", ...]). */
export function outboxRecords(page: Page): Promise<StoredRecord[]> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((db) => db.name);
    if (!names.includes("cable-courier")) return [];
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("cable-courier");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      if (!db.objectStoreNames.contains("outbox")) return [];
      const store = db.transaction("outbox", "readonly").objectStore("outbox");
      const rows = await new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
        const request = store.getAll(IDBKeyRange.bound(["r"], ["r", []]));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      return rows.map((row) => ({
        id: String(row.id), identity: String(row.identity), clientId: String(row.clientId), seq: Number(row.seq), target: String(row.target),
      }));
    } finally {
      db.close();
    }
  });
}

export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Waits until `count` reflexes have been announced `courier:queued`: stored durably, safe to close the tab. */
export async function waitForQueued(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (n) => (window as unknown as TestWindow).__events.filter((e) => e.type === "courier:queued").length >= n,
    count,
    { timeout: WAIT },
  );
}
