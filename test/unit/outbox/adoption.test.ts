// Prompt adoption: a closing tab's reflexes are sent by a live tab at once, not at its next reconnect.
// Tabs queue for each other's Web Lock, learning of each other from IndexedDB at load and from
// announcements on BroadcastChannel("cable-courier") (PROTOCOL.md §5).
import { afterEach, describe, expect, test } from "vitest";
import type { Outbox } from "../../../src/outbox";
import { lockName } from "../../../src/outbox/claims";
import { BroadcastChannelDouble } from "../../../src/outbox/testing";
import { Browser } from "./browser";
import { payload, storedRecords, until } from "./harness";

let browser: Browser;
afterEach(() => browser.close());

async function enqueueOffline(outbox: Outbox): Promise<string> {
  const { id } = outbox.enqueue(payload("Counter#increment", { tabId: "closing-page" }));
  await until(async () => (await storedRecords()).some(({ value }) => (value as { id: string }).id === id), "stored");
  return id;
}

describe("adoption", () => {
  test("a tab opened after a connected one closes: the connected one sends its reflexes at once, under their own clientId", async () => {
    browser = new Browser();
    const survivor = await browser.tab({ newTab: true });
    survivor.link.connect();
    const closing = await browser.tab({ newTab: true });
    const id = await enqueueOffline(closing.outbox);
    closing.outbox.close();
    await until(() => survivor.link.wire.some((m) => m.id === id), "adopted without a reconnect");
    expect(survivor.link.wire[0].courier).toEqual({ v: 1, clientId: closing.outbox.clientId, seq: 1 });
    survivor.link.settle();
    await until(() => survivor.outbox.pending === 0, "committed");
    expect(survivor.seen.stages.at(-1)).toMatchObject({ id, stage: "committed" });
    // It ran after this page loaded, for this URL: its effect is news here (PROTOCOL.md §5).
    expect(survivor.seen.applied).toEqual([[expect.objectContaining({ reflexId: id })]]);
    expect(browser.server.ran).toEqual([id]);
  });

  test("without BroadcastChannel, a tab queues at load for the live tabs it finds in IndexedDB", async () => {
    browser = new Browser({ broadcast: false });
    const closing = await browser.tab({ newTab: true });
    const id = await enqueueOffline(closing.outbox);
    const survivor = await browser.tab({ newTab: true });
    survivor.link.connect();
    await until(() => browser.locks!.queued(lockName(closing.outbox.clientId)) === 1, "queued for the lock");
    expect(survivor.link.wire).toEqual([]); // its tab is alive: not ours to send
    closing.outbox.close();
    await until(() => survivor.link.wire.some((m) => m.id === id), "adopted");
    survivor.link.settle();
    expect(browser.server.ran).toEqual([id]);
  });

  test("an older tab learns of a newer one from its announcement, answers it, and adopts its reflexes when it closes", async () => {
    browser = new Browser();
    const older = await browser.tab({ newTab: true });
    older.link.connect();
    const newer = await browser.tab({ newTab: true });
    await until(() => BroadcastChannelDouble.posted.length === 3, "start and answer");
    expect(BroadcastChannelDouble.posted).toEqual([
      ["cable-courier", { kind: "start", identity: "user-1", clientId: older.outbox.clientId }],
      ["cable-courier", { kind: "start", identity: "user-1", clientId: newer.outbox.clientId }],
      ["cable-courier", { kind: "here", identity: "user-1", clientId: older.outbox.clientId }],
    ]);
    const id = await enqueueOffline(newer.outbox); // queued after the older tab loaded
    newer.outbox.close();
    await until(() => older.link.wire.some((m) => m.id === id), "adopted");
  });

  test("a closed tab gives up its queued lock requests, and another identity's tab queues for none", async () => {
    browser = new Browser();
    const owner = await browser.tab({ newTab: true });
    await enqueueOffline(owner.outbox);
    const name = lockName(owner.outbox.clientId);
    await browser.tab({ newTab: true, identity: "someone-else" }); // would make it 2
    const watcher = await browser.tab({ newTab: true });
    await until(() => browser.locks!.queued(name) === 1, "watcher queued");
    watcher.outbox.close();
    await until(() => browser.locks!.queued(name) === 0, "request withdrawn");
    owner.outbox.close();
    await until(() => !browser.locks!.isHeld(name), "lock free");
    const heir = await browser.tab({ newTab: true });
    expect(heir.outbox.pending).toBe(1); // still there for the next tab
  });
});
