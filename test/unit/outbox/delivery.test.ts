// The delivery engine against a server that follows PROTOCOL.md §4: order, stages, window, resend, gap, dedup.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { installLocks, LockManagerDouble } from "../../../src/outbox/testing";
import { FakeLink, FakeServer, freshIndexedDB, openTab, payload, seqs, storedRecords, until } from "./harness";

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
  vi.useRealTimers();
});

describe("delivery", () => {
  test("a reflex goes queued → sent → received → committed, operations applied before it resolves", async () => {
    const { outbox, seen } = openTab(link);
    await outbox.ready;
    link.connect();
    const order: string[] = [];
    const promise = outbox.enqueue(payload());
    promise.then(() => order.push(`resolved after ${seen.applied.length} apply`));
    await until(() => link.inbox.length === 1, "send");
    link.deliver();
    const result = await promise;
    expect(result.id).toBe(promise.id);
    expect(result.operations).toEqual([expect.objectContaining({ operation: "morph", reflexId: promise.id })]);
    expect(order).toEqual(["resolved after 1 apply"]);
    expect(seen.log).toEqual(["stage queued", "stage sent", "stage received", "apply", "stage committed"]);
    expect(seen.applied).toEqual([result.operations]);
    expect(seen.stages.map((s) => s.stage)).toEqual(["queued", "sent", "received", "committed"]);
    expect(seen.stages.every((s) => s.clientId === outbox.clientId && s.seq === 1)).toBe(true);
    expect(outbox.pending).toBe(0);
    expect(seen.pending).toEqual([1, 0]);
    await until(async () => (await storedRecords()).length === 0, "record deleted");
  });

  test("seqs are contiguous and follow the order of enqueue", async () => {
    const { outbox } = openTab(link);
    const ids = Array.from({ length: 12 }, () => outbox.enqueue(payload()).id); // before ready, too
    await outbox.ready;
    link.connect();
    await until(() => link.wire.length === 12, "12 sends");
    expect(seqs(link.wire)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(link.wire.map((m) => m.id)).toEqual(ids);
    expect(new Set(link.wire.map((m) => m.courier?.clientId))).toEqual(new Set([outbox.clientId]));
    link.settle();
    expect(server.ran).toEqual(ids);
  });

  test("nothing is sent before the subscription is confirmed, and send() returning false leaves it queued", async () => {
    const { outbox, seen } = openTab(link);
    const promise = outbox.enqueue(payload());
    await outbox.ready;
    await until(() => seen.stages.length === 1, "queued");
    expect(link.wire).toEqual([]);
    link.push(server.hello(outbox.clientId));
    outbox.subscribed(); // the socket is already closed: send() answers false
    await new Promise((resolve) => setImmediate(resolve));
    expect(link.wire).toEqual([]);
    expect(seen.stages.map((s) => s.stage)).toEqual(["queued"]);
    outbox.unsubscribed();
    link.connect();
    await until(() => link.inbox.length === 1, "sent once connected");
    link.deliver();
    await expect(promise).resolves.toMatchObject({ id: promise.id });
  });

  test("window limits how many are in flight per client", async () => {
    const { outbox, seen } = openTab(link, { window: 4 });
    await outbox.ready;
    link.connect();
    const promises = Array.from({ length: 10 }, () => outbox.enqueue(payload()));
    await until(() => seen.stages.filter((s) => s.stage === "queued").length === 10, "all stored");
    expect(link.wire).toHaveLength(4);
    link.deliver(1);
    expect(link.wire).toHaveLength(5);
    link.settle();
    await Promise.all(promises);
    expect(seqs(link.wire)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  test("no received within ackTimeout → sent again; received stops that timer", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const { outbox } = openTab(link, { ackTimeout: 10_000 });
    await outbox.ready;
    link.connect();
    const first = outbox.enqueue(payload());
    await until(() => link.wire.length === 1, "send");
    link.lose();
    vi.advanceTimersByTime(9_999);
    expect(link.wire).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(link.wire).toHaveLength(2);
    expect(link.wire[1]).toEqual(link.wire[0]);
    link.deliver(1, (answer) => JSON.stringify(answer).includes('"received"')); // committed lost
    vi.advanceTimersByTime(59_999); // commitTimeout (default 60 s) is the only timer left
    expect(link.wire).toHaveLength(2);
    expect(server.ran).toEqual([first.id]);
  });

  test("gap: resend from expected, once per burst, and every reflex runs once", async () => {
    const { outbox } = openTab(link);
    await outbox.ready;
    link.connect();
    const promises = [1, 2, 3, 4].map(() => outbox.enqueue(payload()));
    await until(() => link.wire.length === 4, "4 sends");
    link.lose(); // seq 1 never arrives; 2, 3, 4 each get a gap
    link.deliver();
    expect(seqs(link.wire)).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    link.settle();
    const results = await Promise.all(promises);
    expect(server.ran).toEqual(results.map((r) => r.id));
    expect(link.wire).toHaveLength(8);
  });

  test("a duplicate commit is idempotent: one resolve, one committed stage; the replayed answer is reported stale, not applied", async () => {
    const { outbox, seen } = openTab(link);
    await outbox.ready;
    link.connect();
    const promise = outbox.enqueue(payload());
    await until(() => link.inbox.length === 1, "send");
    const commitOnly = (a: unknown) => JSON.stringify(a).includes('"committed"');
    const answers: unknown[] = [];
    link.deliver(1, (a) => (answers.push(a), !commitOnly(a))); // ran, but the commit was lost on the wire
    link.drop();
    link.connect(); // hello: committed covers seq 1, it is still sent once more
    expect(seqs(link.wire)).toEqual([1, 1]);
    link.deliver();
    const result = await promise;
    link.push(answers.find(commitOnly)); // the first commit turns up late
    expect(server.ran).toEqual([promise.id]);
    expect(result.operations).toHaveLength(1);
    // The answer came from the store: a newer reflex may already have changed what it touched.
    expect(seen.applied).toEqual([]);
    await until(() => seen.stale.length === 1, "stale");
    expect(seen.stale[0]).toEqual([expect.objectContaining({ id: promise.id, reason: "replay" })]);
    expect(seen.stages.filter((s) => s.stage === "committed")).toHaveLength(1);
  });

  test("extension mode: a drop puts in-flight reflexes back to queued and sends them again from the first", async () => {
    const { outbox, seen } = openTab(link);
    await outbox.ready;
    link.connect();
    const promises = [1, 2, 3].map(() => outbox.enqueue(payload()));
    await until(() => link.wire.length === 3, "sends");
    link.deliver(1);
    link.drop();
    expect(seen.stages.filter((s) => s.stage === "queued").map((s) => s.seq)).toEqual([1, 2, 3, 2, 3]);
    link.connect();
    expect(seqs(link.wire)).toEqual([1, 2, 3, 2, 3]);
    link.settle();
    await Promise.all(promises);
  });

  test("failed: the record is deleted and the promise rejects with reason failed", async () => {
    server.failing.add("Counter#boom");
    const { outbox } = openTab(link);
    await outbox.ready;
    link.connect();
    const promise = outbox.enqueue(payload("Counter#boom"));
    await until(() => link.inbox.length === 1, "send");
    link.deliver();
    await expect(promise).rejects.toMatchObject({ name: "ReflexError", reason: "failed", id: promise.id, target: "Counter#boom" });
    await until(async () => (await storedRecords()).length === 0, "deleted");
  });

  test("acks for unknown reflexes are ignored", async () => {
    const { outbox, seen } = openTab(link);
    await outbox.ready;
    link.connect();
    link.push({ courier: { v: 1, ack: "committed", id: "nope", clientId: outbox.clientId, seq: 1, operations: [] } });
    link.push({ courier: { v: 1, ack: "gap", id: "nope", clientId: "other", seq: 3, expected: 1 } });
    expect(seen.stages).toEqual([]);
    expect(seen.applied).toEqual([]);
  });
});
