// Every page load has its own clientId (PROTOCOL.md §2), so after a reload one tab's clicks sit in two
// lanes: the adopted lane of the page before, and this page's. The server orders seqs within a lane only,
// so the outbox itself must keep click order across them (PROTOCOL.md §5).
import { afterEach, expect, test } from "vitest";
import { lockName } from "../../../src/outbox/claims";
import { Browser } from "./browser";
import { JOURNAL_RECHECK } from "../../../src/outbox/delivery";
import { JOURNAL_WAIT } from "../../../src/outbox/journal";
import { payload, storedRecords, until } from "./harness";

let browser: Browser;
afterEach(() => browser.close());

test("a reload's clicks wait for the earlier page's adopted clicks: the server runs all of them in click order", async () => {
  browser = new Browser();
  const before = await browser.tab();
  const earlier = [1, 2, 3].map(() => before.outbox.enqueue(payload()).id);
  await until(async () => (await storedRecords()).length === 3, "stored");
  before.outbox.close(); // the reload

  const after = await browser.tab();
  const later = [after.outbox.enqueue(payload()).id, after.outbox.enqueue(payload()).id];
  await until(async () => (await storedRecords()).length === 5, "stored");
  after.link.connect();
  await until(() => after.link.wire.length >= 1, "sending");
  // Deliver whatever is on the wire until everything has committed (a held record goes out once the
  // older ones have left).
  await until(() => (after.link.settle(), after.outbox.pending === 0), "all committed");
  expect(browser.server.ran).toEqual([...earlier, ...later]);
  // The earlier page's clicks went under their own clientId, the later ones under this page's.
  const lanes = after.link.wire.map((m) => m.courier?.clientId);
  expect(new Set(lanes.slice(0, 3)).size).toBe(1);
  expect(lanes[3]).toBe(after.outbox.clientId);
  expect(lanes[0]).not.toBe(after.outbox.clientId);
});

test("a click waits while a page that is unloading still journals an older one, but not for a journal entry older than JOURNAL_WAIT", async () => {
  browser = new Browser();
  // The page before a reload: it still holds its lock, and its last click is only in its journal.
  const closeGone = browser.locks!.hold(lockName("gone-page"));
  const gone = payload();
  const entry = (createdAt: number, p = gone) => JSON.stringify({ identity: "user-1", payload: p, retry: "safe", createdAt, n: 0 });
  localStorage.setItem(`cable-courier:journal:gone-page:${gone.id}`, entry(Date.now() - 5));
  const page = await browser.tab({ newTab: true });
  page.link.connect();
  const { id } = page.outbox.enqueue(payload());
  await until(async () => (await storedRecords()).length === 1, "stored");
  await new Promise((resolve) => setTimeout(resolve, JOURNAL_RECHECK * 3)); // several rechecks: still held
  expect(page.link.wire).toEqual([]);
  closeGone(); // that page is gone: its journal is drained here and its click goes first
  await until(() => (page.link.settle(), page.outbox.pending === 0), "all committed");
  expect(browser.server.ran).toEqual([gone.id, id]);

  // A live page's entry that old was left behind (its removal failed): it holds nothing back.
  const closeStuck = browser.locks!.hold(lockName("stuck-page"));
  const stuck = payload();
  const key = `cable-courier:journal:stuck-page:${stuck.id}`;
  const value = entry(Date.now() - JOURNAL_WAIT - 1, stuck);
  localStorage.setItem(key, value);
  dispatchEvent(new StorageEvent("storage", { key, newValue: value })); // what another page's write brings
  await new Promise((resolve) => setTimeout(resolve, 0));
  const next = page.outbox.enqueue(payload()).id;
  await until(() => page.link.wire.some((m) => m.id === next), "sent");
  closeStuck();
});
