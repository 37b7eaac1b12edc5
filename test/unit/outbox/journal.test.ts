// The write-ahead journal (issue 10 item 3): written synchronously by enqueue into localStorage under the
// page's clientId, drained by the page that adopts that clientId, never holding a secret, and never
// making a reflex that also reached IndexedDB run twice.
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { FakeServer, freshProfile, payload, tabsOf, until } from "./harness";

let server: FakeServer;
let tabs: ReturnType<typeof tabsOf>;
beforeEach(() => {
  freshProfile();
  server = new FakeServer();
  tabs = tabsOf(server);
});
afterEach(() => {
  tabs?.closeAll();
  vi.restoreAllMocks();
});
const tab = () => tabs.tab();

const journal = () => Object.keys(localStorage).filter((key) => key.startsWith("cable-courier:journal:"));
const keyOf = (clientId: string, id: string) => `cable-courier:journal:${clientId}:${id}`;
/** What a page that went in the same task leaves: the journal entry of a reflex under its clientId. */
const leave = (clientId: string, id: string, entry: string) => localStorage.setItem(keyOf(clientId, id), entry);
const entryFor = (lost: ReturnType<typeof payload>, extra: object = {}) =>
  JSON.stringify({ identity: "user-1", payload: lost, retry: "unsafe", createdAt: Date.now(), n: 0, ...extra });

/** The page goes; the next one holds exactly one reflex, sends it, and it runs once; the journal is empty. */
async function nextPageRunsOnce(first: ReturnType<typeof tab>, id: string): Promise<void> {
  first.outbox.close();
  const again = tab();
  await again.outbox.ready;
  expect(again.outbox.pending).toBe(1);
  again.link.connect();
  await until(() => (again.link.settle(), again.outbox.pending === 0), "ran");
  expect(server.ran).toEqual([id]);
  expect(journal()).toEqual([]);
}

test("enqueue journals the reflex before returning, and forgets it once IndexedDB has it", async () => {
  const first = tab();
  await first.outbox.ready;
  const reflex = first.outbox.enqueue(payload());
  expect(journal()).toEqual([keyOf(first.outbox.clientId, reflex.id)]);
  await until(() => first.seen.stages.some((s) => s.stage === "queued"), "stored");
  expect(journal()).toEqual([]);
});

test("a page that went away before its write landed: the next page stores and sends what the journal holds", async () => {
  const first = tab();
  await first.outbox.ready;
  const lost = payload();
  // What a reload in the same task leaves: the journal entry, no IndexedDB record.
  leave(first.outbox.clientId, lost.id, entryFor(lost));
  await nextPageRunsOnce(first, lost.id);
});

test("a journaled reflex that also reached IndexedDB is not duplicated", async () => {
  const first = tab();
  await first.outbox.ready;
  const reflex = first.outbox.enqueue(payload());
  const entry = localStorage.getItem(keyOf(first.outbox.clientId, reflex.id))!;
  await until(() => first.seen.stages.some((s) => s.stage === "queued"), "stored");
  leave(first.outbox.clientId, reflex.id, entry); // its cleanup was lost with the page
  await nextPageRunsOnce(first, reflex.id);
});

test("a journaled reflex whose write landed and that has since run and left IndexedDB is not stored again", async () => {
  // A burst, then a reload: the write landed but the journal's cleanup was lost with the page; meanwhile
  // the record was sent and committed (here by the same lane; in a campaign, by a tab that adopted it).
  const first = tab();
  await first.outbox.ready;
  const reflex = first.outbox.enqueue(payload());
  const entry = () => localStorage.getItem(keyOf(first.outbox.clientId, reflex.id));
  const stamped = entry()!;
  expect(JSON.parse(stamped)).toMatchObject({ seq: 1 });
  first.link.connect();
  await until(() => (first.link.settle(), first.outbox.pending === 0), "ran");
  leave(first.outbox.clientId, reflex.id, stamped);
  first.outbox.close();
  const again = tab();
  await again.outbox.ready;
  expect(again.outbox.pending).toBe(0);
  expect(server.ran).toEqual([reflex.id]);
  expect(entry()).toBeNull();
});

test("a journaled reflex filed under another lane goes back under that lane and seq, so a second drain is answered from the server's store", async () => {
  const first = tab();
  await first.outbox.ready;
  const lost = payload();
  // A page of a lane whose meta is gone; its write may or may not have landed.
  const entry = entryFor(lost, { seq: 1 });
  leave("gone-lane", lost.id, entry);
  first.outbox.close();
  const again = tab();
  await again.outbox.ready;
  again.link.connect();
  await until(() => (again.link.settle(), server.ran.length === 1 && again.outbox.pending === 0), "ran under its own lane");
  // Its cleanup lost again, after it ran and left IndexedDB: the next drain must not run it twice.
  leave("gone-lane", lost.id, entry);
  again.outbox.close();
  const third = tab();
  await third.outbox.ready;
  third.link.connect();
  await until(() => (third.link.settle(), third.outbox.pending === 0 && localStorage.getItem(keyOf("gone-lane", lost.id)) === null), "answered");
  expect(server.ran).toEqual([lost.id]);
});

test("secrets never reach the journal", async () => {
  const first = tab();
  await first.outbox.ready;
  first.outbox.enqueue(payload("Login#submit", { attrs: { type: "password", value: "hunter2", name: "pw" } }));
  expect(journal()).toHaveLength(1);
  expect(JSON.stringify({ ...localStorage, ...sessionStorage })).not.toContain("hunter2");
});

test("the journal outlives a closed tab: another tab drains it once the tab is gone, never while it lives", async () => {
  const closing = tab();
  await closing.outbox.ready;
  const lost = payload();
  leave(closing.outbox.clientId, lost.id, entryFor(lost)); // clicked a few ms before the tab closed
  sessionStorage.clear(); // the other tab has its own sessionStorage
  const other = tab();
  await other.outbox.ready;
  other.link.connect();
  await until(() => other.link.wire.length === 0 && other.outbox.pending === 0, "left alone");
  expect(journal()).toEqual([keyOf(closing.outbox.clientId, lost.id)]); // its page lives: not ours
  closing.outbox.close(); // the tab closes; the other tab was queued for its lock
  await until(() => other.link.wire.length === 1, "drained and sent");
  expect(other.link.wire[0]).toMatchObject({ id: lost.id, courier: { v: 1, clientId: closing.outbox.clientId, seq: 1 } });
  await until(() => (other.link.settle(), other.outbox.pending === 0), "ran");
  expect(server.ran).toEqual([lost.id]);
  expect(journal()).toEqual([]);
});

test("a full localStorage: the reflex still goes through IndexedDB, and storageDegraded says the window is back", async () => {
  const first = tab();
  await first.outbox.ready;
  vi.spyOn(localStorage, "setItem").mockImplementation(() => {
    throw new DOMException("full", "QuotaExceededError");
  });
  first.link.connect();
  const reflex = first.outbox.enqueue(payload());
  expect(journal()).toEqual([]);
  expect(first.seen.degraded).toHaveLength(1);
  await until(() => (first.link.settle(), first.outbox.pending === 0), "ran");
  await expect(reflex).resolves.toMatchObject({ id: reflex.id });
  expect(server.ran).toEqual([reflex.id]);
});
