// maxAge: a reflex never sent expires at once; one that may have been sent is reported only once the
// server says what became of it (extension: a tombstone's answer; plain: uncertain) (PROTOCOL.md §5).
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { Browser } from "./browser";
import { payload, stored, storedRecords, until } from "./harness";

const MAX_AGE = 60_000;
let browser: Browser;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  browser = new Browser();
});
afterEach(() => {
  browser.close();
  vi.useRealTimers();
});

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => "committed",
    (error: { reason: string }) => `failed/${error.reason}`,
  );
const stages = (seen: { stages: Array<{ stage: string; reason?: string }> }) =>
  seen.stages.map((s) => s.stage + (s.reason ? `/${s.reason}` : ""));

describe("expiry", () => {
  test("a reflex that ran, whose answers were lost, then aged past maxAge is reported committed, not expired", async () => {
    const { link, outbox, seen } = await browser.tab({ maxAge: MAX_AGE });
    link.connect();
    const reflex = outbox.enqueue(payload());
    await until(() => link.wire.length === 1, "send");
    link.deliver(1, () => false); // it runs; received and committed are lost with the socket
    link.drop();
    vi.setSystemTime(Date.now() + MAX_AGE + 1_000);
    link.connect();
    await until(() => link.wire.length === 2, "tombstone");
    expect(link.wire[1]).toEqual({ id: reflex.id, target: "Counter#increment", courier: { v: 1, clientId: outbox.clientId, seq: 1, void: true } });
    link.settle();
    expect(await outcome(reflex)).toBe("committed");
    expect(browser.server.ran).toEqual([reflex.id]);
    expect(stages(seen).at(-1)).toBe("committed");
    expect(seen.stages.filter((s) => s.stage === "failed")).toEqual([]);
  });

  test("one that may have been sent but never reached the server is reported expired once the tombstone is answered", async () => {
    const { link, outbox, seen } = await browser.tab({ maxAge: MAX_AGE });
    link.connect();
    const reflex = outbox.enqueue(payload());
    await until(() => link.wire.length === 1, "send");
    link.drop(); // lost on the wire
    vi.setSystemTime(Date.now() + MAX_AGE + 1_000);
    link.connect();
    await until(() => link.wire.length === 2, "tombstone");
    expect(seen.stages.filter((s) => s.stage === "failed")).toEqual([]); // not before the answer
    link.settle();
    expect(await outcome(reflex)).toBe("failed/expired");
    expect(browser.server.ran).toEqual([]);
    await until(async () => (await storedRecords()).length === 0, "deleted");
  });

  test("plain mode: one that may have been sent and aged is uncertain, not expired", async () => {
    browser.server.extension = false;
    const { link, outbox } = await browser.tab({ maxAge: MAX_AGE });
    link.connect();
    const reflex = outbox.enqueue(payload("Search#query"), { retry: "safe" });
    await until(() => link.wire.length === 1, "send");
    link.deliver(1, () => false); // it ran; the operations were lost
    link.drop(); // retry-safe: back to queued
    vi.setSystemTime(Date.now() + MAX_AGE + 1_000);
    link.connect();
    expect(await outcome(reflex)).toBe("failed/uncertain");
    expect(link.wire).toHaveLength(1);
  });

  test("after a reload it is kept until a connection can ask, then commits silently on the new page", async () => {
    const first = await browser.tab({ maxAge: MAX_AGE });
    first.link.connect();
    const reflex = first.outbox.enqueue(payload());
    await until(() => first.link.wire.length === 1, "send");
    first.link.deliver(1, () => false); // it ran; the answers were lost
    first.outbox.close();
    first.link.drop();

    vi.setSystemTime(Date.now() + MAX_AGE + 1_000);
    const second = await browser.tab({ maxAge: MAX_AGE });
    expect(second.outbox.pending).toBe(1);
    expect(second.seen.stages).toEqual([]); // the mode is unknown until connected: nothing is decided yet
    second.link.connect();
    await until(() => second.link.wire.length === 1, "tombstone");
    expect(second.link.wire[0].courier).toMatchObject({ seq: 1, void: true });
    second.link.settle();
    await until(() => second.outbox.pending === 0, "answered");
    expect(stages(second.seen)).toEqual(["sent", "committed"]); // a duplicate: the stored result, no `received`
    expect(second.seen.applied).toEqual([]); // another page's operations
    expect(browser.server.ran).toEqual([reflex.id]);
  });

  test("another identity's records older than maxAge are deleted unsent at load; younger ones wait for their user", async () => {
    const alice = await browser.tab({ identity: "alice", maxAge: MAX_AGE });
    const old = alice.outbox.enqueue(payload());
    vi.setSystemTime(Date.now() + MAX_AGE / 2);
    const young = alice.outbox.enqueue(payload());
    await until(async () => (await storedRecords()).length === 2, "stored");
    const aliceClient = alice.outbox.clientId;
    alice.outbox.close();

    vi.setSystemTime(Date.now() + MAX_AGE / 2 + 1_000);
    const bob = await browser.tab({ identity: "bob", maxAge: MAX_AGE, newTab: true });
    bob.link.connect();
    expect((await storedRecords()).map(({ value }) => (value as { id: string }).id)).toEqual([young.id]);
    expect(bob.link.wire).toEqual([]);
    expect((await stored()).some(({ key }) => JSON.stringify(key) === JSON.stringify(["c", aliceClient]))).toBe(true);
    expect(old.id).not.toBe(young.id);
  });
});
