// Issue 9 item 4 in the browser: with the page identity left empty (the default), only the cookie says
// who is logged in and the server's hello names that user. Alice's tab connected once; Bob logs in in
// the same tab and clicks before his socket is up. His reflex must run as Bob exactly once, never as
// Alice (not even when she logs in again and connects), and his page must not stay pending.
import { describe, expect, test } from "vitest";
import { waitForPending, waitForState, waitUntil } from "../support/browser";
import { useWorld } from "../support/e2e-fixture";
import { clickRecord, outboxRecords, pageEvents, waitForCourier, waitForQueued } from "../support/e2e-page";

const world = useWorld();
const noMeta = { identityMeta: false };

describe("identity from the hello, page identity empty", () => {
  test("Bob's click before his socket is up runs as Bob once, never as Alice", async () => {
    const { ref, pages, context } = world;
    const page = await context.newPage();
    await page.goto(pages.page("alice", {}, noMeta));
    await waitForState(page, "connected"); // Alice's hello named her identity

    // Bob logs in in the same tab (the cookie changes with the navigation); his socket cannot come up yet.
    await ref.kill("SIGKILL");
    await page.goto(pages.page("bob", {}, noMeta));
    await waitForCourier(page);
    expect(await page.getAttribute("html", "data-cable-state")).not.toBe("connected");
    await clickRecord(page, 1);
    await waitForQueued(page, 1);
    const [bobs] = (await pageEvents(page)).filter((e) => e.type === "courier:queued").map((e) => e.id);

    await ref.restart();
    await waitForState(page, "connected");
    await waitUntil(() => ref.stats(), (s) => s.effects.length > 0, "Bob's reflex to run");
    await waitForPending(page, 0);
    await waitUntil(() => outboxRecords(page), (rows) => rows.length === 0, "an empty outbox");
    expect((await ref.stats()).effects.map((e) => [e.who, e.n, e.identity, e.id])).toEqual([["bob", 1, "bob", bobs]]);

    // Alice logs in again and connects: nothing of Bob's is left to run as her. Her own click is the
    // barrier: once it ran, anything queued before it on this tab would have gone first.
    await page.goto(pages.page("alice", {}, noMeta));
    await waitForState(page, "connected");
    await clickRecord(page, 2);
    await waitUntil(() => ref.stats(), (s) => s.effects.some((e) => e.who === "alice"), "Alice's reflex");
    await waitForPending(page, 0);
    const stats = await ref.stats();
    expect(stats.effects.map((e) => [e.who, e.n, e.identity])).toEqual([["bob", 1, "bob"], ["alice", 2, "alice"]]);
    expect(stats.events.filter((e) => e.id === bobs && e.type === "received")).toHaveLength(1);
    expect(world.errors).toEqual([]);
  });
});
