// A committed ack's operations are applied only to the page that made the reflex: one replayed after a
// reload (or adopted from a closed tab) commits silently, since the page now shown was rendered after it.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { Browser } from "./browser";
import { payload, until } from "./harness";

let browser: Browser;
beforeEach(() => (browser = new Browser()));
afterEach(() => browser.close());

/** A page makes a reflex that runs, but its answers are lost as the page reloads. */
async function reflexRunThenReload(tabId: string) {
  const first = await browser.tab({ tabId });
  first.link.connect();
  const reflex = first.outbox.enqueue(payload("Counter#increment", { tabId }));
  await until(() => first.link.wire.length === 1, "send");
  first.link.deliver(1, () => false);
  first.outbox.close();
  first.link.drop();
  return reflex.id;
}

describe("applying operations", () => {
  test("after a reload, a reflex whose commit was lost commits silently: its old operations are not applied", async () => {
    const id = await reflexRunThenReload("page-1");
    // Meanwhile another client changes the count; the reloaded page is rendered showing that.
    browser.server.handle({ ...payload(), courier: { v: 1, clientId: "someone-else", seq: 1 } });
    const again = await browser.tab({ tabId: "page-2" });
    again.link.connect();
    await until(() => again.link.wire.length === 1, "resend");
    again.link.settle();
    await until(() => again.outbox.pending === 0, "answered");
    expect(again.seen.applied).toEqual([]);
    expect(again.seen.stages).toContainEqual(expect.objectContaining({ id, stage: "committed" }));
    expect(browser.server.ran).toHaveLength(2);
  });

  test("without a tabId option, the reloaded page applies only its own reflexes (those it enqueued)", async () => {
    const id = await reflexRunThenReload("page-1");
    const again = await browser.tab();
    again.link.connect();
    const mine = again.outbox.enqueue(payload("Counter#increment", { tabId: "page-2" }));
    await until(() => again.link.wire.length === 2, "both sent");
    again.link.settle();
    const result = await mine;
    expect(again.seen.applied).toEqual([result.operations]);
    expect(again.seen.stages).toContainEqual(expect.objectContaining({ id, stage: "committed" }));
  });

  test("the tabId option: a record of this page made before the outbox was reopened is still applied", async () => {
    const id = await reflexRunThenReload("same-page"); // e.g. the courier restarted without a navigation
    const again = await browser.tab({ tabId: "same-page" });
    again.link.connect();
    await until(() => again.link.wire.length === 1, "resend");
    again.link.settle();
    await until(() => again.outbox.pending === 0, "answered");
    expect(again.seen.applied).toEqual([[expect.objectContaining({ operation: "morph", reflexId: id })]]);
  });
});
