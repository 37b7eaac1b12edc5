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
