// The write-ahead journal (issue 10 item 3): written synchronously by enqueue, drained by the next page
// of the tab, never holding a secret, and never making a reflex that also reached IndexedDB run twice.
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

const journal = () => Object.keys(sessionStorage).filter((key) => key.startsWith("cable-courier:journal:"));

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
  expect(journal()).toEqual([`cable-courier:journal:${reflex.id}`]);
  await until(() => first.seen.stages.some((s) => s.stage === "queued"), "stored");
  expect(journal()).toEqual([]);
});

test("a page that went away before its write landed: the next page stores and sends what the journal holds", async () => {
  const first = tab();
  await first.outbox.ready;
  const lost = payload();
  // What a reload in the same task leaves: the journal entry, no IndexedDB record.
  sessionStorage.setItem(`cable-courier:journal:${lost.id}`,
    JSON.stringify({ identity: "user-1", payload: lost, retry: "unsafe", createdAt: Date.now(), n: 0 }));
  await nextPageRunsOnce(first, lost.id);
});

test("a journaled reflex that also reached IndexedDB is not duplicated", async () => {
  const first = tab();
  await first.outbox.ready;
  const reflex = first.outbox.enqueue(payload());
  const entry = sessionStorage.getItem(`cable-courier:journal:${reflex.id}`)!;
  await until(() => first.seen.stages.some((s) => s.stage === "queued"), "stored");
  sessionStorage.setItem(`cable-courier:journal:${reflex.id}`, entry); // its cleanup was lost with the page
  await nextPageRunsOnce(first, reflex.id);
});

test("a journaled reflex whose write landed and that has since run and left IndexedDB is not stored again", async () => {
  // A burst, then a reload: the write landed but the journal's cleanup was lost with the page; meanwhile
  // the record was sent and committed (here by the same lane; in a campaign, by a tab that adopted it).
  const first = tab();
  await first.outbox.ready;
  const reflex = first.outbox.enqueue(payload());
  const entry = () => sessionStorage.getItem(`cable-courier:journal:${reflex.id}`);
  const stamped = entry()!;
  expect(JSON.parse(stamped)).toMatchObject({ clientId: first.outbox.clientId, seq: 1 });
  first.link.connect();
  await until(() => (first.link.settle(), first.outbox.pending === 0), "ran");
  sessionStorage.setItem(`cable-courier:journal:${reflex.id}`, stamped);
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
  // The page that wrote it had minted a lane this page cannot reuse; its write may or may not have landed.
  const entry = JSON.stringify({ identity: "user-1", payload: lost, retry: "unsafe", createdAt: Date.now(), n: 0, clientId: "gone-lane", seq: 1 });
  sessionStorage.setItem(`cable-courier:journal:${lost.id}`, entry);
  first.outbox.close();
  const again = tab();
  await again.outbox.ready;
  again.link.connect();
  await until(() => (again.link.settle(), server.ran.length === 1 && again.outbox.pending === 0), "ran under its own lane");
  // Its cleanup lost again, after it ran and left IndexedDB: the next drain must not run it twice.
  sessionStorage.setItem(`cable-courier:journal:${lost.id}`, entry);
  again.outbox.close();
  const third = tab();
  await third.outbox.ready;
  third.link.connect();
  await until(() => (third.link.settle(), third.outbox.pending === 0 && sessionStorage.getItem(`cable-courier:journal:${lost.id}`) === null), "answered");
  expect(server.ran).toEqual([lost.id]);
});

test("secrets never reach the journal", async () => {
  const first = tab();
  await first.outbox.ready;
  first.outbox.enqueue(payload("Login#submit", { attrs: { type: "password", value: "hunter2", name: "pw" } }));
  expect(journal()).toHaveLength(1);
  expect(JSON.stringify({ ...sessionStorage })).not.toContain("hunter2");
});
