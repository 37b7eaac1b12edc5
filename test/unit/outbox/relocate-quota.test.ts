// Issue 9 item 11: a quota error while moving records to a fresh clientId reports them failed
// (`storage`), and their old records do not survive in IndexedDB to be adopted and sent later.
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { IdbStore } from "../../../src/outbox/storage";
import type { Change } from "../../../src/outbox/storage";
import { FakeServer, freshProfile, payload, storedRecords, tabsOf, until } from "./harness";

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

test("the move fails on quota: reported storage, and a reload finds nothing of them to send", async () => {
  const first = tab();
  await first.outbox.ready;
  const reflexes = [first.outbox.enqueue(payload()), first.outbox.enqueue(payload())];
  await until(async () => (await storedRecords()).length === 2, "stored");
  // The move is one transaction (old keys out, new ones in); a full disk aborts all of it.
  const commit = IdbStore.prototype.commit;
  vi.spyOn(IdbStore.prototype, "commit").mockImplementation(function (this: IdbStore, change: Change) {
    if (change.put?.length && change.remove?.length) return Promise.reject(new DOMException("full", "QuotaExceededError"));
    return commit.call(this, change);
  });
  // Another tab used seq 1 of our clientId: both records move to a fresh one.
  first.link.push({ courier: { v: 1, ack: "conflict", id: reflexes[0].id, clientId: first.outbox.clientId, seq: 1 } });
  for (const reflex of reflexes) await expect(reflex).rejects.toMatchObject({ reason: "storage" });
  await until(async () => (await storedRecords()).length === 0, "old records deleted");
  first.outbox.close();

  const again = tab();
  await again.outbox.ready;
  again.link.connect();
  again.link.settle();
  expect(again.link.wire).toEqual([]);
  expect(server.ran).toEqual([]);
});
