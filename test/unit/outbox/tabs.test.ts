// Several tabs of one browser: identities stay apart, a duplicated tab gets its own clientId, and the
// reflexes of a closed tab are adopted by exactly one tab and sent under their own clientId and seq.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { Outbox } from "../../../src/outbox";
import { installBroadcastChannel, installLocks, LockManagerDouble } from "../../../src/outbox/testing";
import { FakeLink, FakeServer, freshIndexedDB, openTab, payload, stored, storedRecords, until } from "./harness";

let server: FakeServer;
const opened: Outbox[] = [];
beforeEach(() => {
  freshIndexedDB();
  sessionStorage.clear();
  localStorage.clear();
  installLocks(new LockManagerDouble());
  installBroadcastChannel();
  server = new FakeServer();
});
afterEach(() => opened.splice(0).forEach((outbox) => outbox.close()));

/** A new tab: its own connection and (unless duplicated) its own sessionStorage. */
async function tab(identity = "user-1", { duplicate = false } = {}) {
  if (!duplicate) sessionStorage.clear();
  const link = new FakeLink(server);
  const { outbox, seen } = openTab(link, { identity });
  opened.push(outbox);
  await outbox.ready;
  return { link, outbox, seen };
}

async function enqueueOffline(outbox: Outbox, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => outbox.enqueue(payload()).id);
  await until(async () => (await storedRecords()).filter(({ value }) => ids.includes((value as { id: string }).id)).length === count, "stored");
  return ids;
}

describe("tabs", () => {
  test("identity B never sends identity A's records, and leaves them for A", async () => {
    const alice = await tab("alice");
    const aliceIds = await enqueueOffline(alice.outbox, 3);
    const aliceClient = alice.outbox.clientId;
    alice.outbox.close();

    const bob = await tab("bob");
    bob.link.connect();
    const mine = bob.outbox.enqueue(payload());
    await until(() => bob.link.wire.length === 1, "bob's send");
    bob.link.settle();
    await mine;
    bob.link.drop();
    bob.link.connect(); // a reconnect scans for orphans again
    await until(async () => (await storedRecords()).length === 3, "bob's record deleted");
    expect(bob.link.wire.map((m) => m.id)).toEqual([mine.id]);
    expect(bob.outbox.pending).toBe(0);

    const aliceAgain = await tab("alice");
    aliceAgain.link.connect();
    await until(() => aliceAgain.link.wire.length === 3, "alice's records");
    expect(aliceAgain.link.wire.map((m) => [m.id, m.courier?.clientId, m.courier?.seq])).toEqual(
      aliceIds.map((id, i) => [id, aliceClient, i + 1]),
    );
  });

  test("a duplicated tab (first tab alive) mints its own clientId", async () => {
    const first = await tab();
    await enqueueOffline(first.outbox, 1);
    const copy = await tab("user-1", { duplicate: true });
    expect(copy.outbox.clientId).not.toBe(first.outbox.clientId);
    copy.link.connect();
    const own = copy.outbox.enqueue(payload());
    await until(() => copy.link.wire.length === 1, "send");
    expect(copy.link.wire[0].courier).toEqual({ v: 1, clientId: copy.outbox.clientId, seq: 1 });
    expect(copy.link.wire[0].id).toBe(own.id);
  });

  test("a closed tab's reflexes are adopted by one tab, sent under their own clientId and seq, exactly once", async () => {
    const closing = await tab();
    const orphanIds = await enqueueOffline(closing.outbox, 3);
    const orphanClient = closing.outbox.clientId;

    const adopter = await tab();
    adopter.link.connect();
    await new Promise((resolve) => setImmediate(resolve));
    expect(adopter.link.wire).toEqual([]); // its tab is alive: not ours to send

    closing.outbox.close(); // the adopter was queued for its lock: no reconnect needed
    await until(() => adopter.link.wire.length === 3, "adopted sends");
    expect(adopter.link.wire.map((m) => [m.id, m.courier?.clientId, m.courier?.seq])).toEqual(
      orphanIds.map((id, i) => [id, orphanClient, i + 1]),
    );

    const bystander = await tab(); // opened while the adopter holds the orphan's lock
    bystander.link.connect();
    await new Promise((resolve) => setImmediate(resolve));
    expect(bystander.link.wire).toEqual([]);

    adopter.link.settle();
    expect(server.ran).toEqual(orphanIds);
    await until(async () => (await stored()).every(({ key }) => (key as unknown[])[1] !== orphanClient), "orphan forgotten");
    expect(adopter.seen.stages.filter((s) => s.stage === "committed").map((s) => s.id)).toEqual(orphanIds);
    expect(adopter.outbox.pending).toBe(0);
  });

  test("every page load mints a fresh clientId; the next load sends the earlier page's reflexes under their own clientId and seq, once", async () => {
    const first = await tab("user-1", { duplicate: true });
    const ids = await enqueueOffline(first.outbox, 3);
    const firstClient = first.outbox.clientId;
    first.outbox.close(); // the page unloads...
    const again = await tab("user-1", { duplicate: true }); // ...and the tab loads the next one
    expect(again.outbox.clientId).not.toBe(firstClient);
    expect(again.outbox.pending).toBe(3);
    again.link.connect();
    await until(() => again.link.wire.length === 3, "adopted sends");
    expect(again.link.wire.map((m) => [m.id, m.courier?.clientId, m.courier?.seq])).toEqual(ids.map((id, i) => [id, firstClient, i + 1]));
    again.link.settle();
    await until(() => again.outbox.pending === 0, "committed");
    expect(server.ran).toEqual(ids);
    const mine = again.outbox.enqueue(payload()); // this page's own clientId, from seq 1
    await until(() => again.link.wire.length === 4, "own send");
    expect(again.link.wire[3]).toMatchObject({ id: mine.id, courier: { v: 1, clientId: again.outbox.clientId, seq: 1 } });
    again.link.settle();
    await mine;
    expect(server.ran).toEqual([...ids, mine.id]);
    await until(async () => (await stored()).every(({ key }) => (key as unknown[])[1] !== firstClient), "the earlier page's client forgotten");
  });
});
