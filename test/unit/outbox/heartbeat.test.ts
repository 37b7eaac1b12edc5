// Without Web Locks a heartbeat in IndexedDB tells a live page's clientId from an orphaned one: a page
// that beats keeps its lane, one whose beat stopped loses it to exactly one other page (PROTOCOL.md §5).
// Beats run on fake timers (and a fake Date): no real sleeps.
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import type { Heartbeat } from "../../../src/outbox/claims";
import { HEARTBEAT_INTERVAL, ORPHANED_AFTER } from "../../../src/outbox/claims";
import type { Outbox } from "../../../src/outbox";
import { Browser } from "./browser";
import { payload, storedRecords, until } from "./harness";

let browser: Browser;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  browser = new Browser({ locks: false });
});
afterEach(() => {
  browser.close();
  vi.useRealTimers();
});

/** A page left with reflexes it could not send (offline). */
async function pageWithReflexes(count: number) {
  const page = await browser.tab({ newTab: true });
  const ids = Array.from({ length: count }, () => page.outbox.enqueue(payload()).id);
  await until(async () => (await storedRecords()).length >= count, "stored");
  await vi.advanceTimersByTimeAsync(0); // the batched writes
  return { ...page, ids };
}

/** Its timers stop and it never writes again, as a crashed or frozen page: it is not closed. */
const freeze = (outbox: Outbox) => (outbox as unknown as { _ctx: { heartbeat: Heartbeat } })._ctx.heartbeat.stop();

/** Lets the pages' beats (and the scans after them) run for `ms` of fake time. */
async function elapse(ms: number) {
  for (let t = 0; t < ms; t += HEARTBEAT_INTERVAL / 2) {
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL / 2);
    await until(async () => true);
  }
}

test("a live page's lane is not adopted, however long it lives", async () => {
  const live = await pageWithReflexes(2);
  const other = await browser.tab({ newTab: true });
  other.link.connect();
  await elapse(5 * ORPHANED_AFTER);
  expect(other.link.wire).toEqual([]);
  expect(other.outbox.pending).toBe(0);
  expect(live.outbox.pending).toBe(2);
  live.link.connect(); // and it still sends its own
  await until(() => live.link.wire.length === 2, "sent by its own page");
  expect(live.link.wire.map((m) => m.courier?.clientId)).toEqual([live.outbox.clientId, live.outbox.clientId]);
});

test("a lane whose heartbeat stopped is adopted by exactly one of two competing pages, under its own clientId and seq", async () => {
  const gone = await pageWithReflexes(3);
  const goneClient = gone.outbox.clientId;
  freeze(gone.outbox);
  const [b, c] = await Promise.all([browser.tab({ newTab: true }), browser.tab({ newTab: true })]);
  b.link.connect();
  c.link.connect();
  await elapse(ORPHANED_AFTER - HEARTBEAT_INTERVAL); // not yet orphaned: three beats not yet missed
  expect([b.outbox.pending, c.outbox.pending]).toEqual([0, 0]);
  await elapse(2 * HEARTBEAT_INTERVAL);
  await until(() => b.outbox.pending + c.outbox.pending === 3, "adopted");
  const adopter = b.outbox.pending ? b : c;
  const bystander = adopter === b ? c : b;
  expect(bystander.outbox.pending).toBe(0);
  await until(() => adopter.link.wire.length === 3, "sent");
  expect(adopter.link.wire.map((m) => [m.id, m.courier?.clientId, m.courier?.seq])).toEqual(gone.ids.map((id, i) => [id, goneClient, i + 1]));
  adopter.link.settle();
  await until(() => adopter.outbox.pending === 0, "committed");
  await elapse(2 * ORPHANED_AFTER);
  expect(bystander.link.wire).toEqual([]);
  expect(browser.server.ran).toEqual(gone.ids);
});

test("two pages claiming one orphaned lane at once: one transaction each re-reads the beat, so one wins", async () => {
  const { IdbStore } = await import("../../../src/outbox/storage");
  const [one, two] = await Promise.all([IdbStore.open(), IdbStore.open()]);
  const claim = (by: string) => ({ clientId: "orphan", identity: "user-1", by, now: Date.now(), staleAfter: ORPHANED_AFTER });
  const results = await Promise.all([one.claim(claim("page-1")), two.claim(claim("page-2"))]);
  expect(results.filter(Boolean)).toHaveLength(1);
  expect(await one.beat(["orphan"], results[0] ? "page-2" : "page-1", Date.now())).toEqual(["orphan"]); // the loser holds nothing
});
