// Issue 9 item 2: client meta is merged inside its IndexedDB transaction (max of nextSeq and
// attemptedThrough), never written from a stale in-memory copy. A click during the write of the batch
// `attempted` mark must not wipe it: a reload would take the three for never sent and a plain server
// would run them twice.
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { FakeServer, freshProfile, payload, stored, tabsOf, until } from "./harness";

let server: FakeServer;
let tabs: ReturnType<typeof tabsOf>;
beforeEach(() => {
  freshProfile();
  server = new FakeServer();
  server.extension = false;
  tabs = tabsOf(server, { plainWindow: 4 });
});
afterEach(() => {
  tabs?.closeAll();
  vi.restoreAllMocks();
});
const tab = () => tabs.tab();

test("a click during the attempted-mark write, then a reload: the plain server never gets the three again", async () => {
  const first = tab();
  await first.outbox.ready;
  const offline = [1, 2, 3].map(() => first.outbox.enqueue(payload()));
  offline.forEach((promise) => promise.catch(() => undefined));
  await until(() => first.seen.stages.filter((s) => s.stage === "queued").length === 3, "three stored");
  first.link.connect(); // starts the batch mark's write
  const click = first.outbox.enqueue(payload()); // its write queues behind the mark's
  click.catch(() => undefined);
  await until(() => first.link.wire.length === 4, "all four sent");
  await until(async () => (await stored()).some(({ value }) => (value as { id?: string }).id === click.id), "click stored");
  const metas = (await stored()).filter(({ key }) => (key as unknown[])[0] === "c").map(({ value }) => value);
  expect(metas).toEqual([expect.objectContaining({ attemptedThrough: 3, nextSeq: 5 })]);
  first.outbox.close(); // the page reloads before any answer

  const again = tab();
  await again.outbox.ready;
  again.link.connect();
  again.link.settle();
  await until(() => again.outbox.pending === 0, "settled");
  const resent = again.link.wire.map((message) => message.id);
  for (const promise of offline) expect(resent).not.toContain(promise.id);
  expect(server.ran).toEqual([]);
});

// A lane's meta says how far its records are stored: a journal drain after a crash takes a journaled
// click whose seq is below the stored `nextSeq` for landed and drops it. A write that carries the meta
// (the attempted mark, the hello identity) made in the same task as a click, before that click's own
// transaction is issued, lands first (IndexedDB runs transactions in the order they were made): if it
// named the click's seq and the page went before the click's write landed, the click was lost.
test("a meta write never names a seq whose record is not already written in it or before it", async () => {
  server.extension = true;
  const first = tab();
  await first.outbox.ready;
  const persistence = (first.outbox as unknown as { _ctx: { persistence: { commit: (change: object) => Promise<boolean> } } })._ctx.persistence;
  const issued: Array<{ put: number[]; nextSeq?: number }> = [];
  const commit = persistence.commit.bind(persistence);
  persistence.commit = (change: { put?: Array<{ seq: number; clientId: string }>; meta?: { clientId: string; nextSeq: number } }) => {
    const own = first.outbox.clientId;
    issued.push({ put: (change.put ?? []).filter((r) => r.clientId === own).map((r) => r.seq), ...(change.meta?.clientId === own && { nextSeq: change.meta.nextSeq }) });
    return commit(change);
  };
  const early = first.outbox.enqueue(payload());
  await until(() => first.seen.stages.some((s) => s.stage === "queued"), "the first stored");
  const click = first.outbox.enqueue(payload()); // its transaction is issued at the end of this task
  first.link.connect(); // in the same task: the hello's identity write and the first record's mark
  await until(() => first.link.wire.length === 2, "both sent");
  first.link.settle();
  await Promise.all([early, click]);
  let written = 1;
  for (const { put, nextSeq } of issued) {
    written = Math.max(written, ...put.map((seq) => seq + 1));
    if (nextSeq !== undefined) expect({ nextSeq, written }).toEqual({ nextSeq: Math.min(nextSeq, written), written });
  }
  expect(issued.some(({ put }) => put.length === 0)).toBe(true); // a meta-only write did race the click's
});
