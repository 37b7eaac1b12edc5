// Durability: stored before sent, survives reloads, degrades to memory, and the per-reflex limits.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { installLocks, LockManagerDouble } from "../../../src/outbox/testing";
import type { OutboundReflex } from "../../../src/outbox";
import { IDBFactory } from "fake-indexeddb";
import { FakeLink, FakeServer, freshIndexedDB, openTab, payload, seqs, stored, storedRecords, until } from "./harness";

let server: FakeServer;
let link: FakeLink;
beforeEach(() => {
  freshIndexedDB();
  sessionStorage.clear();
  localStorage.clear();
  installLocks(new LockManagerDouble());
  server = new FakeServer();
  link = new FakeLink(server);
});
afterEach(() => {
  link.outbox?.close();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const queuedCount = (stages: { stage: string }[]) => stages.filter((s) => s.stage === "queued").length;

describe("storage", () => {
  test("a reflex's record is committed to IndexedDB before send() sees it", async () => {
    const timeline: string[] = [];
    const realPut = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, "put").mockImplementation(function (this: IDBObjectStore, value, key) {
      const parts = key as unknown[];
      if (parts[0] === "r") this.transaction.addEventListener("complete", () => timeline.push(`durable ${parts[2]}`));
      return realPut.call(this, value, key);
    });
    const send = link.send;
    link.send = (message: OutboundReflex) => (timeline.push(`send ${message.courier?.seq}`), send(message));
    const { outbox } = openTab(link);
    await outbox.ready;
    link.connect();
    outbox.enqueue(payload());
    outbox.enqueue(payload());
    await until(() => link.wire.length === 2, "sends");
    expect(timeline.indexOf("durable 1")).toBeGreaterThanOrEqual(0);
    expect(timeline.indexOf("durable 1")).toBeLessThan(timeline.indexOf("send 1"));
    expect(timeline.indexOf("durable 2")).toBeLessThan(timeline.indexOf("send 2"));
  });

  test.each([["with Web Locks", true], ["without Web Locks", false]])(
    "20 queued offline survive two reloads and go out exactly once, in order (%s)",
    async (_, locks) => {
      if (!locks) installLocks(null);
      const first = openTab(link);
      await first.outbox.ready;
      const ids = Array.from({ length: 20 }, () => first.outbox.enqueue(payload()).id);
      await until(() => queuedCount(first.seen.stages) === 20, "20 stored");
      const clientId = first.outbox.clientId;
      first.outbox.close();

      const second = openTab(link);
      await second.outbox.ready;
      expect(second.outbox.clientId).not.toBe(clientId); // a fresh clientId every page load
      expect(second.outbox.pending).toBe(20); // adopted, under their own clientId
      second.outbox.close();

      const third = openTab(link);
      await third.outbox.ready;
      expect([clientId, second.outbox.clientId]).not.toContain(third.outbox.clientId);
      link.connect();
      await until(() => link.wire.length === 20, "20 sends");
      expect(link.wire.map((m) => m.courier?.clientId)).toEqual(ids.map(() => clientId));
      expect(seqs(link.wire)).toEqual(ids.map((_, i) => i + 1));
      expect(link.wire.map((m) => m.id)).toEqual(ids);
      link.settle();
      expect(link.wire).toHaveLength(20);
      expect(server.ran).toEqual(ids);
      expect(third.outbox.pending).toBe(0);
      await until(async () => (await storedRecords()).length === 0, "store empty");
      await until(async () => (await stored()).every(({ key }) => (key as unknown[])[1] !== clientId), "emptied lane forgotten");
      // The next reflex starts this page's own clientId.
      third.outbox.enqueue(payload());
      await until(() => link.wire.length === 21, "21st send");
      expect(link.wire[20].courier).toEqual({ v: 1, clientId: third.outbox.clientId, seq: 1 });
    },
  );

  test("maxQueue: one over the limit fails with outbox-full and is not stored", async () => {
    const { outbox, seen } = openTab(link, { maxQueue: 3 });
    await outbox.ready;
    const promises = [1, 2, 3, 4].map(() => outbox.enqueue(payload()));
    await expect(promises[3]).rejects.toMatchObject({ reason: "outbox-full", id: promises[3].id });
    await until(() => queuedCount(seen.stages) === 3, "3 stored");
    expect((await storedRecords()).map(({ value }) => (value as { id: string }).id)).toEqual(promises.slice(0, 3).map((p) => p.id));
    expect(seen.stages.filter((s) => s.stage === "failed")).toEqual([
      expect.objectContaining({ id: promises[3].id, reason: "outbox-full", seq: 0 }),
    ]);
  });

  test("maxAge: stored reflexes too old fail with expired at load and go out as tombstones", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
    const first = openTab(link, { maxAge: 60_000 });
    await first.outbox.ready;
    const old = [first.outbox.enqueue(payload()), first.outbox.enqueue(payload())];
    await until(() => queuedCount(first.seen.stages) === 2, "stored");
    const firstClient = first.outbox.clientId;
    first.outbox.close();

    vi.setSystemTime(new Date("2026-01-01T00:01:01Z"));
    const second = openTab(link, { maxAge: 60_000 });
    await second.outbox.ready;
    expect(second.seen.stages).toEqual(
      old.map((p, i) => expect.objectContaining({ id: p.id, seq: i + 1, stage: "failed", reason: "expired" })),
    );
    expect(second.outbox.pending).toBe(0);
    const fresh = second.outbox.enqueue(payload());
    link.connect();
    await until(() => link.wire.length === 3, "sends");
    expect(link.wire.slice(0, 2)).toEqual(
      old.map((p, i) => ({ id: p.id, target: "Counter#increment", courier: { v: 1, clientId: firstClient, seq: i + 1, void: true } })),
    );
    link.settle();
    await expect(fresh).resolves.toMatchObject({ id: fresh.id });
    expect(server.ran).toEqual([fresh.id]);
    await until(async () => (await storedRecords()).length === 0, "store empty");
    expect(second.seen.stages.filter((s) => s.id !== fresh.id)).toHaveLength(2); // no second report
  });

  test("maxAge: a reflex that ages while the page waits offline rejects with expired when sending resumes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { outbox } = openTab(link, { maxAge: 60_000 });
    await outbox.ready;
    const promise = outbox.enqueue(payload());
    await until(async () => (await storedRecords()).length === 1, "stored");
    vi.setSystemTime(Date.now() + 61_000);
    link.connect();
    await expect(promise).rejects.toMatchObject({ reason: "expired" });
    expect(link.wire[0].courier).toMatchObject({ seq: 1, void: true });
    link.settle();
    expect(server.ran).toEqual([]);
  });

  test("IndexedDB missing: memory mode, storageDegraded once, reflexes still commit", async () => {
    const saved = globalThis.indexedDB;
    // @ts-expect-error simulating a browser without IndexedDB
    delete globalThis.indexedDB;
    try {
      const { outbox, seen } = openTab(link);
      await outbox.ready;
      expect(outbox.durable).toBe(false);
      link.connect();
      const promises = [outbox.enqueue(payload()), outbox.enqueue(payload())];
      await until(() => link.inbox.length === 2, "sends");
      link.settle();
      await Promise.all(promises);
      expect(seen.degraded).toHaveLength(1);
    } finally {
      globalThis.indexedDB = saved;
    }
  });

  test("IndexedDB refusing to open: memory mode, storageDegraded once", async () => {
    vi.spyOn(IDBFactory.prototype, "open").mockImplementation(() => {
      throw new DOMException("blocked by the browser", "SecurityError");
    });
    const { outbox, seen } = openTab(link);
    await outbox.ready;
    expect(outbox.durable).toBe(false);
    expect(seen.degraded).toEqual([expect.objectContaining({ name: "SecurityError" })]);
    link.connect();
    const promise = outbox.enqueue(payload());
    await until(() => link.inbox.length === 1, "send");
    link.settle();
    await promise;
  });

  test("a remembered clientId whose IndexedDB meta is gone is not reused (the server may hold its seqs)", async () => {
    const first = openTab(link);
    await first.outbox.ready;
    link.connect();
    const old = [first.outbox.enqueue(payload()), first.outbox.enqueue(payload())];
    await until(() => link.inbox.length === 2, "sends");
    link.settle();
    await Promise.all(old);
    first.outbox.close();
    link.drop();

    freshIndexedDB(); // site data cleared; sessionStorage survives
    const second = openTab(link);
    await second.outbox.ready;
    expect(second.outbox.clientId).not.toBe(first.outbox.clientId);
    link.connect();
    const fresh = second.outbox.enqueue(payload());
    await until(() => link.inbox.length === 1, "send");
    link.settle();
    await fresh;
    expect(server.ran).toEqual([...old.map((p) => p.id), fresh.id]);
  });

  test("a hello showing the server ahead of our counter moves us to a fresh clientId", async () => {
    const { outbox } = openTab(link);
    await outbox.ready;
    const stale = outbox.clientId;
    server.last.set(stale, 7); // e.g. IndexedDB restored from an older copy
    link.connect();
    const promise = outbox.enqueue(payload());
    await until(() => link.inbox.length === 1, "send");
    link.settle();
    await promise;
    expect(server.ran).toEqual([promise.id]);
    expect(outbox.clientId).not.toBe(stale);
    expect(link.wire[0].courier).toEqual({ v: 1, clientId: outbox.clientId, seq: 1 });
  });

  test("memory mode never reuses a clientId across loads", async () => {
    const first = openTab(link, { storage: "memory" });
    await first.outbox.ready;
    first.outbox.close();
    const second = openTab(link, { storage: "memory" });
    await second.outbox.ready;
    expect(second.outbox.clientId).not.toBe(first.outbox.clientId);
    expect(second.seen.degraded).toEqual([]);
  });

  test("IndexedDB breaking mid-session: memory from then on, nothing lost, nothing run twice after a reload", async () => {
    const first = openTab(link);
    await first.outbox.ready;
    const a = first.outbox.enqueue(payload());
    await until(async () => (await storedRecords()).length === 1, "a stored");
    vi.spyOn(IDBDatabase.prototype, "transaction").mockImplementation(() => {
      throw new DOMException("the disk went away", "UnknownError");
    });
    const rest = [first.outbox.enqueue(payload()), first.outbox.enqueue(payload())];
    link.connect();
    await until(() => link.inbox.length === 3, "sends");
    expect(first.outbox.durable).toBe(false);
    link.settle();
    await Promise.all([a, ...rest]);
    expect(first.seen.degraded).toHaveLength(1);
    expect(first.seen.degraded[0]).toMatchObject({ name: "UnknownError" });

    // IndexedDB is back after a reload: a's record (its delete never landed) is resent and deduplicated.
    vi.restoreAllMocks();
    first.outbox.close();
    link.drop();
    const second = openTab(link);
    await second.outbox.ready;
    expect(second.outbox.clientId).not.toBe(first.outbox.clientId);
    link.connect();
    await until(() => link.wire.length === 4, "leftover resent");
    expect(link.wire[3].id).toBe(a.id);
    link.settle();
    expect(server.ran).toEqual([a.id, ...rest.map((p) => p.id)]);
    await until(async () => (await storedRecords()).length === 0, "store empty");
  });

  test("quota: only that reflex fails with storage; its seq does not become a hole", async () => {
    const { outbox, seen } = openTab(link);
    await outbox.ready;
    link.connect();
    const full = payload();
    const realPut = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, "put").mockImplementation(function (this: IDBObjectStore, value, key) {
      if ((value as { id?: string }).id === full.id) throw new DOMException("quota", "QuotaExceededError");
      return realPut.call(this, value, key);
    });
    const before = outbox.enqueue(payload());
    await until(() => link.inbox.length === 1, "first send");
    await expect(outbox.enqueue(full)).rejects.toMatchObject({ reason: "storage", id: full.id });
    const after = outbox.enqueue(payload());
    await until(() => link.inbox.length === 2, "second send");
    expect(seqs(link.wire)).toEqual([1, 2]);
    link.settle();
    await Promise.all([before, after]);
    expect(outbox.durable).toBe(true);
    expect(seen.degraded).toEqual([]);
    expect(server.ran).toEqual([before.id, after.id]);
  });

  test("quota in one task's transaction fails that task's reflexes together, and leaves no hole in the seqs", async () => {
    const { outbox } = openTab(link);
    await outbox.ready;
    link.connect();
    const before = outbox.enqueue(payload());
    await until(() => link.inbox.length === 1, "first sent");
    link.settle(); // a plain lane sends one at a time
    await before;
    const full = payload();
    const realPut = IDBObjectStore.prototype.put;
    const spy = vi.spyOn(IDBObjectStore.prototype, "put").mockImplementation(function (this: IDBObjectStore, value, key) {
      if ((value as { id?: string }).id === full.id) throw new DOMException("quota", "QuotaExceededError");
      return realPut.call(this, value, key);
    });
    const sameTask = [outbox.enqueue(full), outbox.enqueue(payload())]; // one transaction: both or neither
    for (const reflex of sameTask) await expect(reflex).rejects.toMatchObject({ reason: "storage" });
    spy.mockRestore();
    const after = outbox.enqueue(payload());
    await until(() => link.inbox.length === 1, "the next one sent");
    link.settle();
    await after;
    expect(server.ran).toEqual([before.id, after.id]);
    expect(link.wire.map((m) => m.courier?.seq)).toEqual([1, 2]); // the failed seqs were handed out again
  });

  test("password values are never stored or sent; payloads that cannot be stored fail clearly", async () => {
    const { outbox } = openTab(link);
    await outbox.ready;
    link.connect();
    outbox.enqueue(payload("Login#submit", { attrs: { type: "password", value: "hunter2", name: "pw" } }));
    await until(() => link.wire.length === 1, "send");
    expect(JSON.stringify(await stored())).not.toContain("hunter2");
    expect(JSON.stringify(link.wire)).not.toContain("hunter2");
    const bad = outbox.enqueue(payload("Counter#increment", { args: [10n] }));
    await expect(bad).rejects.toMatchObject({ reason: "failed", id: bad.id });
    expect(outbox.pending).toBe(1);
  });
});

describe("an indexedDB.open that never answers (issue 9 item 7)", () => {
  test("times out: the outbox is ready in memory, storage-degraded is heard, and reflexes still go out", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    // Like the Safari bug: the open request exists but no event ever fires on it.
    globalThis.indexedDB = { open: () => ({}) as IDBOpenDBRequest } as unknown as IDBFactory;
    const { outbox, seen } = openTab(link);
    let ready = false;
    void outbox.ready.then(() => (ready = true));
    await vi.advanceTimersByTimeAsync(5000);
    vi.useRealTimers();
    await until(() => ready, "ready");
    expect(outbox.durable).toBe(false);
    expect(seen.degraded).toHaveLength(1);
    link.connect();
    const reflex = outbox.enqueue(payload());
    await until(() => link.wire.length === 1, "sent");
    link.settle();
    await expect(reflex).resolves.toMatchObject({ id: reflex.id });
  });
});
