// The hello's `identity`: records are stamped with the last one the client saw and are never sent on a
// connection naming another; they wait for their user (PROTOCOL.md §6).
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { Browser } from "./browser";
import { payload, storedRecords, until } from "./harness";

let browser: Browser;
beforeEach(() => (browser = new Browser()));
afterEach(() => {
  browser.close();
  vi.useRealTimers();
});

const values = async () => (await storedRecords()).map(({ value }) => value as { id: string; helloIdentity?: string });

/** Alice's page (page identity "") connects once, then queues a reflex offline and goes away. */
async function aliceLeavesAReflex() {
  browser.server.identity = "alice-h";
  const alice = await browser.tab({ identity: "" });
  alice.link.connect();
  alice.link.drop();
  const { id } = alice.outbox.enqueue(payload("Account#transfer"));
  await until(async () => (await values()).some((v) => v.id === id), "stored");
  alice.outbox.close();
  return id;
}

describe("hello identity", () => {
  test("logout and login in the same tab: the first user's queued reflex is not sent on the second user's connection", async () => {
    const aliceId = await aliceLeavesAReflex();
    expect((await values())[0].helloIdentity).toBe("alice-h");

    browser.server.identity = "bob-h";
    const bob = await browser.tab({ identity: "" }); // same tab, same page identity
    bob.link.connect();
    const mine = bob.outbox.enqueue(payload());
    await until(() => bob.link.wire.some((m) => m.id === mine.id), "bob's reflex sent");
    bob.link.settle();
    await mine;
    expect(bob.link.wire.map((m) => m.id)).toEqual([mine.id]); // under a fresh clientId, not behind alice's
    expect(bob.link.wire[0].courier).toMatchObject({ seq: 1 });
    // Not failed: it waits for alice (bob's own finished record is deleted with the next batch).
    await until(async () => (await values()).length === 1, "bob's finished record deleted");
    expect((await values()).map((v) => v.id)).toEqual([aliceId]);
    bob.outbox.close();
    bob.link.drop();

    browser.server.identity = "alice-h";
    const aliceAgain = await browser.tab({ identity: "", newTab: true });
    aliceAgain.link.connect();
    await until(() => aliceAgain.link.wire.some((m) => m.id === aliceId), "sent for alice");
    aliceAgain.link.settle();
    expect(browser.server.ran).toEqual([mine.id, aliceId]);
  });

  test("a reload stamps nothing before its own first hello; that hello binds the record, and it runs", async () => {
    browser.server.identity = "alice-h";
    const first = await browser.tab();
    first.link.connect();
    first.outbox.close();
    first.link.drop();
    const reloaded = await browser.tab();
    const reflex = reloaded.outbox.enqueue(payload());
    await until(async () => (await values()).some((v) => v.id === reflex.id), "stored");
    expect((await values()).find((v) => v.id === reflex.id)?.helloIdentity).toBeUndefined();
    reloaded.link.connect();
    await until(() => reloaded.link.wire.length === 1, "sent");
    reloaded.link.settle();
    await expect(reflex).resolves.toMatchObject({ id: reflex.id });
    // Made after that hello: stamped with it.
    const later = reloaded.outbox.enqueue(payload());
    await until(async () => (await values()).some((v) => v.id === later.id && v.helloIdentity === "alice-h"), "stamped");
  });

  test("a hello naming no identity sends stamped records as before", async () => {
    const aliceId = await aliceLeavesAReflex();
    browser.server.identity = undefined;
    const next = await browser.tab({ identity: "" });
    next.link.connect();
    await until(() => next.link.wire.some((m) => m.id === aliceId), "sent");
  });

  test("withheld records of another user older than maxAge are deleted unsent by the first hello", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    await aliceLeavesAReflex();
    browser.server.identity = "bob-h";
    const bob = await browser.tab({ identity: "", maxAge: 60_000 });
    bob.link.connect(); // bob's hello: Alice's reflex is withheld
    await until(() => bob.link.wire.length === 0 && bob.outbox.pending === 1, "withheld");
    bob.outbox.close();
    bob.link.drop();
    expect(await values()).toHaveLength(1);
    vi.setSystemTime(Date.now() + 61_000);
    const later = await browser.tab({ identity: "", maxAge: 60_000 });
    expect(later.seen.stages).toEqual([]); // a fresh clientId knows no hello yet: nothing judged at load
    later.link.connect();
    await until(async () => (await values()).length === 0, "pruned");
    expect(later.seen.stages).toEqual([]); // not reported to bob's page
    expect(later.outbox.pending).toBe(0);
    expect(later.link.wire).toEqual([]);
  });
});

describe("a record made before this page's first hello (issue 9 item 4)", () => {
  test("Bob clicks before his socket is up: it is his, runs on his connection, and Alice's stays hers", async () => {
    const aliceId = await aliceLeavesAReflex();
    browser.server.identity = "bob-h";
    const bob = await browser.tab({ identity: "" }); // same tab: a fresh client, Alice's adopted with its hello
    const early = bob.outbox.enqueue(payload("Counter#increment"));
    await until(() => bob.seen.stages.some((s) => s.id === early.id && s.stage === "queued"), "stored");
    expect((await values()).find((v) => v.id === early.id)?.helloIdentity).toBeUndefined(); // not stamped Alice's
    bob.link.connect();
    await until(() => bob.link.wire.some((m) => m.id === early.id), "sent on bob's connection");
    bob.link.settle();
    await expect(early).resolves.toMatchObject({ id: early.id });
    expect(bob.link.wire.map((m) => m.id)).not.toContain(aliceId);
    expect(bob.outbox.pending).toBe(1); // Alice's, visibly pending until she connects
    expect(browser.server.ran).toEqual([early.id]);
  });
});
