// What must never cross a boundary: another identity's queued reflexes, and a broken IndexedDB must not
// stop reflexes from committing. Counted at the reference server (test/support/e2e-server.mjs).
import { describe, expect, test } from "vitest";
import { waitForPending, waitForState, waitUntil } from "../support/browser";
import { useWorld } from "../support/e2e-fixture";
import { clickRecord, outboxRecords, pageEvents, range, waitForEvent, waitForQueued } from "../support/e2e-page";

const world = useWorld();

describe("e2e isolation", () => {
  test("identity A's queued reflexes are never sent while the page comes back as identity B", async () => {
    const { ref, pages, context } = world;
    const page = await context.newPage();
    await page.goto(pages.page("dora"));
    await waitForState(page, "connected");
    await ref.kill("SIGKILL");
    await waitForState(page, "disconnected");
    for (const n of range(1, 3)) await clickRecord(page, n);
    await waitForPending(page, 3);
    await waitForQueued(page, 3);
    const doraIds = (await pageEvents(page)).filter((e) => e.type === "courier:queued").map((e) => e.id);
    expect(doraIds).toHaveLength(3);

    // Same tab, another user (the meta tag and the cookie say "eve"), then the server comes back.
    await page.goto(pages.page("eve"));
    await ref.restart();
    await waitForState(page, "connected");
    await clickRecord(page, 1);
    await waitUntil(() => ref.stats(), (s) => s.effects.some((e) => e.who === "eve"), "eve's reflex");
    await waitForPending(page, 0);

    const stats = await ref.stats();
    expect(stats.effects.map((e) => [e.who, e.n, e.identity])).toEqual([["eve", 1, "eve"]]);
    expect(stats.events.filter((e) => doraIds.includes(e.id))).toEqual([]);
    // Not sent, and not lost either: dora's records wait in the outbox for dora.
    const kept = await outboxRecords(page);
    expect(kept.map((r) => [r.identity, r.id]).sort()).toEqual(doraIds.map((id) => ["dora", id]).sort());

    await page.goto(pages.page("dora"));
    await waitForState(page, "connected");
    const after = await waitUntil(() => ref.stats(), (s) => s.effects.length >= 4, "dora's three reflexes");
    await waitUntil(() => outboxRecords(page), (rows) => rows.length === 0, "an empty outbox");
    expect(after.effects.slice(1).map((e) => [e.who, e.n, e.identity])).toEqual(range(1, 3).map((n) => ["dora", n, "dora"]));
    expect((await ref.stats()).effects).toHaveLength(4);
    expect(world.errors).toEqual([]);
  });

  const brokenIndexedDb = {
    "indexedDB.open throws": () => {
      IDBFactory.prototype.open = () => {
        throw new DOMException("IndexedDB disabled by the test", "InvalidStateError");
      };
    },
    "indexedDB.open fails asynchronously": () => {
      IDBFactory.prototype.open = function () {
        const request = { error: new DOMException("IndexedDB disabled by the test", "UnknownError") } as unknown as IDBOpenDBRequest;
        setTimeout(() => request.onerror?.(new Event("error")));
        return request;
      };
    },
  };

  for (const [name, breakIt] of Object.entries(brokenIndexedDb)) {
    test(`without IndexedDB (${name}) reflexes still commit and courier:storage-degraded fires`, async () => {
      const { ref, pages, context } = world;
      await context.addInitScript(breakIt);
      const page = await context.newPage();
      await page.goto(pages.page("fay"));
      await waitForState(page, "connected");
      await waitForEvent(page, "courier:storage-degraded");
      expect(await page.evaluate(() => window.courier.durable)).toBe(false);

      for (const n of range(1, 3)) await clickRecord(page, n);
      const stats = await waitUntil(() => ref.stats(), (s) => s.effects.length >= 3, "3 effects");
      await waitForPending(page, 0);
      expect(stats.effects.map((e) => [e.who, e.n])).toEqual(range(1, 3).map((n) => ["fay", n]));
      expect((await pageEvents(page)).filter((e) => e.type === "courier:committed")).toHaveLength(3);
      expect((await pageEvents(page)).filter((e) => e.type === "courier:storage-degraded")).toHaveLength(1);
      expect((await ref.stats()).server.handlerRuns["Test#record"]).toBe(3);
      expect(world.errors).toEqual([]);
    });
  }
});
