// Against a plain StimulusReflex server (no hello, no acks): operations carrying the reflex id are its
// commit, and a reflex sent but unanswered when the socket drops is uncertain unless retry-safe.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { installLocks, LockManagerDouble } from "../../../src/outbox/testing";
import { FakeLink, FakeServer, freshIndexedDB, openTab, payload, storedRecords, until } from "./harness";

let server: FakeServer;
let link: FakeLink;
beforeEach(() => {
  freshIndexedDB();
  sessionStorage.clear();
  localStorage.clear();
  installLocks(new LockManagerDouble());
  server = new FakeServer();
  server.extension = false;
  link = new FakeLink(server);
});
afterEach(() => {
  link.outbox?.close();
  vi.useRealTimers();
});

describe("plain mode", () => {
  test("operations with the reflex id commit it; the courier, not the outbox, applies them", async () => {
    const { outbox, seen } = openTab(link);
    await outbox.ready;
    link.connect();
    const promise = outbox.enqueue(payload());
    await until(() => link.inbox.length === 1, "send");
    link.push({ cableReady: true, operations: [{ operation: "morph", selector: "#other", html: "x", reflexId: "someone-else" }] });
    expect(outbox.pending).toBe(1);
    link.deliver();
    const result = await promise;
    expect(result.operations).toEqual([expect.objectContaining({ operation: "morph", reflexId: promise.id })]);
    expect(seen.applied).toEqual([]);
    expect(seen.stages.map((s) => s.stage)).toEqual(["queued", "sent", "committed"]);
    await until(async () => (await storedRecords()).length === 0, "deleted");
  });

  test("a morph-error event fails the reflex", async () => {
    server.failing.add("Counter#boom");
    const { outbox } = openTab(link);
    await outbox.ready;
    link.connect();
    const promise = outbox.enqueue(payload("Counter#boom"));
    await until(() => link.inbox.length === 1, "send");
    link.deliver();
    await expect(promise).rejects.toMatchObject({ reason: "failed", message: "Counter#boom raised" });
  });

  test("socket drops: sent-but-unanswered fails uncertain, retry-safe is resent, never-sent stays queued", async () => {
    const { outbox } = openTab(link, { plainWindow: 2 });
    await outbox.ready;
    link.connect();
    const unsafe = outbox.enqueue(payload());
    const safe = outbox.enqueue(payload("Search#query"), { retry: "safe" });
    const waiting = outbox.enqueue(payload());
    await until(() => link.wire.length === 2, "two sends");
    link.drop();
    await expect(unsafe).rejects.toMatchObject({ reason: "uncertain" });
    expect(outbox.pending).toBe(2);
    link.connect();
    await until(() => link.wire.length === 4, "resend");
    expect(link.wire.map((m) => m.id)).toEqual([unsafe.id, safe.id, safe.id, waiting.id]);
    link.settle();
    await Promise.all([safe, waiting]);
    expect(server.ran).toEqual([safe.id, waiting.id]);
  });

  test("a reflex sent before a reload is uncertain after it, not run twice", async () => {
    const first = openTab(link, { plainWindow: 2 }); // both in flight at once
    await first.outbox.ready;
    link.connect();
    const unsafe = first.outbox.enqueue(payload());
    const safe = first.outbox.enqueue(payload(), { retry: "safe" });
    await until(() => link.inbox.length === 2, "sends");
    link.deliver(Infinity, () => false); // both ran; the page reloads before the answers arrive
    first.outbox.close();
    link.drop();

    const second = openTab(link);
    await second.outbox.ready;
    link.connect();
    await until(() => link.wire.length === 3, "safe resent");
    expect(link.wire[2].id).toBe(safe.id);
    expect(second.seen.stages).toContainEqual(expect.objectContaining({ id: unsafe.id, stage: "failed", reason: "uncertain" }));
    link.settle();
    expect(server.ran).toEqual([unsafe.id, safe.id, safe.id]);
    await until(async () => (await storedRecords()).length === 0, "store empty");
  });

  test("an expired record is dropped, not sent as a tombstone a plain server would not understand", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { outbox } = openTab(link, { maxAge: 1000 });
    await outbox.ready;
    const promise = outbox.enqueue(payload());
    await until(async () => (await storedRecords()).length === 1, "stored");
    vi.setSystemTime(Date.now() + 2000);
    link.connect();
    await expect(promise).rejects.toMatchObject({ reason: "expired" });
    await until(async () => (await storedRecords()).length === 0, "dropped");
    expect(link.wire).toEqual([]);
  });
});
