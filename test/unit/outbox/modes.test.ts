// What a connection's mode means for reflexes that may already have run: a rolling deploy can put a plain
// server behind the next socket, a socket can die between hello and confirmation, a commit can go
// missing, and the `attempted` mark can fail to land (PROTOCOL.md §5).
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { Browser } from "./browser";
import { FakeLink, openTab, payload, storedRecords, until } from "./harness";

let browser: Browser;
beforeEach(() => (browser = new Browser()));
afterEach(() => {
  browser.close();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const runs = (id: string) => browser.server.ran.filter((ran) => ran === id).length;

describe("modes", () => {
  test("extension, then a plain server after a drop: a sent unsafe reflex is uncertain, a retry-safe one is resent", async () => {
    const { link, outbox } = await browser.tab();
    link.connect();
    const unsafe = outbox.enqueue(payload());
    const safe = outbox.enqueue(payload("Search#query"), { retry: "safe" });
    await until(() => link.wire.length === 2, "sent");
    link.deliver(Infinity, () => false); // both ran; the acks were lost
    link.drop();
    browser.server.extension = false;
    link.connect();
    await expect(unsafe).rejects.toMatchObject({ reason: "uncertain" });
    await until(() => link.inbox.length === 1, "safe one resent");
    link.settle();
    await safe;
    expect([runs(unsafe.id), runs(safe.id)]).toEqual([1, 2]);
  });

  test("sent in extension mode, then a reload onto a plain server: uncertain, not run twice", async () => {
    const first = await browser.tab();
    first.link.connect();
    const reflex = first.outbox.enqueue(payload());
    await until(() => first.link.wire.length === 1, "sent");
    first.link.deliver(1, () => false);
    first.outbox.close();
    first.link.drop();
    browser.server.extension = false;
    const second = await browser.tab();
    second.link.connect();
    await until(() => second.outbox.pending === 0, "decided");
    expect(second.seen.stages).toEqual([expect.objectContaining({ id: reflex.id, stage: "failed", reason: "uncertain" })]);
    expect(second.link.wire).toEqual([]);
    expect(runs(reflex.id)).toBe(1);
  });

  test("queued offline, sent to a plain server, page reloaded before any answer: uncertain, not sent twice", async () => {
    browser.server.extension = false;
    const first = await browser.tab({ plainWindow: 3 }); // all three in flight at once
    const reflexes = [first.outbox.enqueue(payload()), first.outbox.enqueue(payload()), first.outbox.enqueue(payload())];
    await until(() => first.seen.stages.filter((s) => s.stage === "queued").length === 3, "stored");
    first.link.connect(); // the batch is marked attempted (one meta write), then sent
    await until(() => first.link.wire.length === 3, "sent");
    first.link.deliver(Infinity, () => false); // all three ran; the answers never arrived
    first.outbox.close();
    first.link.drop();
    const second = await browser.tab();
    second.link.connect();
    await until(() => second.outbox.pending === 0, "decided");
    expect(second.link.wire).toEqual([]);
    expect(second.seen.stages.map((s) => [s.id, s.reason])).toEqual(reflexes.map((r) => [r.id, "uncertain"]));
    expect(reflexes.map((r) => runs(r.id))).toEqual([1, 1, 1]);
  });

  test("a hello on a socket lost before its confirmation does not make the next (plain) one extension mode", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { link, outbox, seen } = await browser.tab({ ackTimeout: 1000 });
    outbox.unsubscribed(); // harmless when never subscribed
    expect(seen.stages).toEqual([]);
    link.push(browser.server.hello(outbox.clientId)); // socket 1: hello, then it dies before confirm_subscription
    outbox.unsubscribed();
    browser.server.extension = false;
    link.online = true;
    outbox.subscribed(); // socket 2: a plain server
    const reflex = outbox.enqueue(payload());
    await vi.waitUntil(() => link.wire.length === 1);
    link.deliver(); // the plain server's operations are its commit
    await expect(reflex).resolves.toMatchObject({ id: reflex.id });
    vi.advanceTimersByTime(5_000);
    expect(link.wire).toHaveLength(1);
  });

  test("received, but no commit within commitTimeout: sent again, and the server's answer settles it once", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { link, outbox, seen } = await browser.tab({ commitTimeout: 30_000 });
    link.connect();
    const reflex = outbox.enqueue(payload());
    await vi.waitUntil(() => link.wire.length === 1);
    link.deliver(1, (answer) => JSON.stringify(answer).includes('"received"')); // the commit is lost
    vi.advanceTimersByTime(29_999);
    expect(link.wire).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(link.wire).toHaveLength(2);
    link.deliver();
    await reflex;
    expect(runs(reflex.id)).toBe(1);
    expect(seen.stages.filter((s) => s.stage === "committed")).toHaveLength(1);
  });

  test("plain mode: when the attempted mark cannot be stored, an unsafe reflex is not sent (uncertain); a safe one is", async () => {
    browser.server.extension = false;
    const { link, outbox } = await browser.tab();
    const unsafe = outbox.enqueue(payload());
    const safe = outbox.enqueue(payload("Search#query"), { retry: "safe" });
    await until(async () => (await storedRecords()).length === 2, "stored");
    vi.spyOn(IDBDatabase.prototype, "transaction").mockImplementation(() => {
      throw new DOMException("the disk went away", "UnknownError");
    });
    link.connect();
    await expect(unsafe).rejects.toMatchObject({ reason: "uncertain" });
    await until(() => link.inbox.length === 1, "safe sent");
    expect(link.wire.map((m) => m.id)).toEqual([safe.id]);
    link.settle();
    await safe;
  });

  test("enqueued before ready, then closed: the reflex fails with storage and says so in a stage", async () => {
    const { outbox, seen } = openTab(new FakeLink(browser.server));
    const reflex = outbox.enqueue(payload());
    outbox.close();
    await expect(reflex).rejects.toMatchObject({ reason: "storage" });
    expect(seen.stages).toEqual([expect.objectContaining({ id: reflex.id, stage: "failed", reason: "storage" })]);
  });
});
