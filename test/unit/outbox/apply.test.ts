// Convergence (PROTOCOL.md §5): a committed reflex's operations are applied when it ran fresh after this
// page loaded and was made for this page's URL, whichever page made it. A stored result (`replay`), a
// pruned one, or one made for another URL is not applied: the stale hook hears of it instead.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { Browser } from "./browser";
import { payload, until } from "./harness";

let browser: Browser;
beforeEach(() => (browser = new Browser()));
afterEach(() => browser.close());

/** A page queues a reflex while offline and reloads before it was ever sent. */
async function queuedThenReload(extra: Parameters<typeof payload>[1] = {}) {
  const first = await browser.tab();
  const reflex = first.outbox.enqueue(payload("Counter#increment", extra));
  await until(() => first.seen.stages.some((s) => s.stage === "queued"), "stored");
  first.outbox.close();
  return reflex.id;
}

/** A page makes a reflex that runs, but its answers are lost as the page reloads. */
async function runThenReload() {
  const first = await browser.tab();
  first.link.connect();
  const reflex = first.outbox.enqueue(payload("Counter#increment"));
  await until(() => first.link.wire.length === 1, "send");
  first.link.deliver(1, () => false);
  first.outbox.close();
  first.link.drop();
  return reflex.id;
}

describe("applying operations", () => {
  test("a reflex queued by an earlier page that runs fresh now is applied to this page", async () => {
    const id = await queuedThenReload();
    const again = await browser.tab();
    again.link.connect();
    await until(() => again.link.wire.length === 1, "send");
    again.link.settle();
    await until(() => again.outbox.pending === 0, "answered");
    expect(again.seen.applied).toEqual([[expect.objectContaining({ operation: "morph", reflexId: id, html: "1" })]]);
    expect(again.seen.stale).toEqual([]);
  });

  test("an answer from the server's store (replay) is not applied: the stale hook gets it", async () => {
    const id = await runThenReload();
    const again = await browser.tab();
    again.link.connect();
    await until(() => again.link.wire.length === 1, "resend");
    again.link.settle();
    await until(() => again.outbox.pending === 0, "answered");
    await until(() => again.seen.stale.length === 1, "stale");
    expect(again.seen.applied).toEqual([]);
    expect(again.seen.stale[0]).toEqual([expect.objectContaining({ id, reason: "replay", url: "http://127.0.0.1/" })]);
    expect(again.seen.stages).toContainEqual(expect.objectContaining({ id, stage: "committed" }));
    expect(browser.server.ran).toHaveLength(1);
  });

  test("a reflex made for another URL is not applied here, even when it ran fresh", async () => {
    const id = await queuedThenReload({ url: "http://127.0.0.1/other" });
    const again = await browser.tab();
    again.link.connect();
    await until(() => again.link.wire.length === 1, "send");
    again.link.settle();
    await until(() => again.seen.stale.length === 1, "stale");
    expect(again.seen.applied).toEqual([]);
    expect(again.seen.stale[0]).toEqual([expect.objectContaining({ id, reason: "url" })]);
  });

  test("a pruned answer commits without operations and is reported stale", async () => {
    const tab = await browser.tab();
    tab.link.connect();
    const reflex = tab.outbox.enqueue(payload("Counter#increment"));
    await until(() => tab.link.wire.length === 1, "send");
    tab.link.push({ courier: { v: 1, ack: "committed", id: reflex.id, clientId: tab.outbox.clientId, seq: 1, pruned: true } });
    await expect(reflex).resolves.toMatchObject({ id: reflex.id, operations: [] });
    await until(() => tab.seen.stale.length === 1, "stale");
    expect(tab.seen.stale[0]).toEqual([expect.objectContaining({ id: reflex.id, reason: "pruned" })]);
  });

  test("stale reflexes of one burst of answers are reported together", async () => {
    const first = await browser.tab();
    first.link.connect();
    first.outbox.enqueue(payload("Counter#increment"));
    first.outbox.enqueue(payload("Counter#increment"));
    await until(() => first.link.wire.length === 2, "send");
    first.link.deliver(2, () => false);
    first.outbox.close();
    first.link.drop();
    const again = await browser.tab();
    again.link.connect();
    await until(() => again.link.wire.length === 2, "resend");
    again.link.settle();
    await until(() => again.seen.stale.length > 0, "stale");
    expect(again.seen.stale.map((batch) => batch.length)).toEqual([2]);
  });
});
