// What the Rails browser tests share: a page that can be reloaded while puma is down, and a look into
// the page's IndexedDB outbox.
import type { BrowserContext, Page } from "playwright-core";

/**
 * Serves the page and its script from a cache while puma is down, as an app's service worker would, so
 * the page can be reloaded offline. The cable socket is never routed. A document the test fulfils has no
 * IP address space, so Chromium's Local Network Access checks would block its socket to 127.0.0.1 (a page
 * served by puma itself is not checked): the context is granted that permission.
 */
export async function offlineCache(target: BrowserContext, origin: string): Promise<void> {
  await target.grantPermissions(["local-network-access"]);
  const cache = new Map<string, { body: Buffer; contentType: string }>();
  await target.route((url) => url.origin === origin && !url.pathname.startsWith("/cable"), async (route) => {
    const key = route.request().url();
    try {
      const response = await route.fetch();
      cache.set(key, { body: await response.body(), contentType: response.headers()["content-type"] ?? "" });
      await route.fulfill({ response });
    } catch {
      const hit = cache.get(key);
      await (hit ? route.fulfill({ status: 200, body: hit.body, contentType: hit.contentType }) : route.abort("connectionrefused"));
    }
  });
}

/** Reflex records in the page origin's IndexedDB outbox (database cable-courier, keys ["r", clientId, seq]). */
export function outboxCount(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("cable-courier");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      if (!db.objectStoreNames.contains("outbox")) return 0;
      const request = db.transaction("outbox", "readonly").objectStore("outbox").count(IDBKeyRange.bound(["r"], ["r", []]));
      return await new Promise<number>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    } finally {
      db.close();
    }
  });
}

