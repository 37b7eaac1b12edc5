// Exactly-once delivery in real Chromium against a reference server in its own process: outages,
// reloads, a SIGKILL between `received` and `committed`, and a closed tab. Every effect is counted at the
// server (test/support/e2e-server.mjs keeps them in its state file, committed with the dedup state).
import { describe, expect, test } from "vitest";
import { waitForPending, waitForState, waitUntil } from "../support/browser";
import { useWorld } from "../support/e2e-fixture";
import { clickRecord, outboxRecords, range, waitForCourier, waitForEvent, waitForQueued } from "../support/e2e-page";

const world = useWorld();

describe("e2e delivery", () => {
  test("20 reflexes queued while the server is down survive two reloads and run exactly once, in click order", async () => {
    const { ref, pages, context } = world;
    const page = await context.newPage();
    await page.goto(pages.page("alice"));
    await waitForState(page, "connected");

    await ref.kill("SIGKILL");
    await waitForState(page, "disconnected");
    const firstClient = await page.evaluate(() => window.courier.clientId);
    for (const n of range(1, 20)) await clickRecord(page, n);
    await waitForPending(page, 20);
    await waitForQueued(page, 20);
    expect(await outboxRecords(page)).toHaveLength(20);

    for (let i = 0; i < 2; i++) {
      await page.reload();
      await waitForCourier(page);
      await waitForPending(page, 20);
    }
    const clientId = await page.evaluate(() => window.courier.clientId);

    await ref.restart();
    await waitForState(page, "connected");
    await waitForPending(page, 0);
    await waitUntil(() => outboxRecords(page), (rows) => rows.length === 0, "an empty outbox");
    // A last reflex behind the twenty: once it has run, nothing of theirs can still be in flight.
    await clickRecord(page, 21);
    const stats = await waitUntil(() => ref.stats(), (s) => s.effects.length >= 21, "21 effects");

    expect(stats.effects.map((e) => e.n)).toEqual(range(1, 21));
    // The twenty go under the clientId of the page that queued them; every load mints its own, so the 21st
    // starts the current page's at seq 1.
    expect(clientId).not.toBe(firstClient);
    expect(stats.effects.map((e) => [e.clientId, e.seq])).toEqual([...range(1, 20).map((seq) => [firstClient, seq]), [clientId, 1]]);
    expect(stats.effects.every((e) => e.who === "alice" && e.identity === "alice")).toBe(true);
    expect(stats.server.handlerRuns["Test#record"]).toBe(21);
    await waitForPending(page, 0);
    expect(await outboxRecords(page)).toEqual([]);
    expect((await ref.stats()).effects).toHaveLength(21);
    expect(world.errors).toEqual([]);
  });

  test("a server SIGKILLed between received and committed runs the reflex once after its restart, and the promise resolves", async () => {
    const { ref, pages, context } = world;
    const page = await context.newPage();
    await page.goto(pages.page("bob"));
    await waitForState(page, "connected");

    await ref.post("/test/gate?closed=1");
    const id = await page.evaluate(() => {
      const promise = window.courier.stimulate("Test#block", { args: [7, "bob"] });
      promise.then(
        (result) => (window.__settled = { ok: true, id: result.id }),
        (error) => (window.__settled = { ok: false, reason: error.reason }),
      );
      return promise.id;
    });
    await waitForEvent(page, "courier:received", id);
    await waitUntil(() => ref.stats(), (s) => s.blocked === 1, "the handler to be blocked");
    const firstPid = ref.pid;

    await ref.kill("SIGKILL");
    expect((await page.evaluate(() => window.__events)).filter((e) => e.id === id).map((e) => e.type)).not.toContain(
      "courier:committed",
    );
    await ref.restart();
    await page.waitForFunction(() => window.__settled !== undefined, null, { timeout: 30_000 });

    expect(await page.evaluate(() => window.__settled)).toEqual({ ok: true, id });
    const stats = await ref.stats();
    expect(stats.effects).toEqual([expect.objectContaining({ target: "Test#block", id, n: 7, seq: 1 })]);
    // The first run was interrupted by the kill; only the second one's effect was committed.
    expect(stats.attempts.map((a) => a.pid)).toEqual([firstPid, ref.pid]);
    await waitForPending(page, 0);
    expect(await outboxRecords(page)).toEqual([]);
    expect(world.errors).toEqual([]);
  });

  test("five reflexes queued in a closed tab are replayed exactly once by a new tab of the same site", async () => {
    const { ref, pages, context } = world;
    const first = await context.newPage();
    await first.goto(pages.page("carol"));
    await waitForState(first, "connected");
    await ref.kill("SIGKILL");
    await waitForState(first, "disconnected");
    for (const n of range(1, 5)) await clickRecord(first, n);
    await waitForPending(first, 5);
    await waitForQueued(first, 5);
    const closedClientId = await first.evaluate(() => window.courier.clientId);
    await first.close();

    await ref.restart();
    const second = await context.newPage();
    await second.goto(pages.page("carol"));
    await waitForState(second, "connected");
    await waitUntil(() => outboxRecords(second), (rows) => rows.length === 0, "the adopted records to be delivered");
    await clickRecord(second, 6);
    const stats = await waitUntil(() => ref.stats(), (s) => s.effects.length >= 6, "6 effects");

    expect(stats.effects.map((e) => e.n)).toEqual(range(1, 6));
    expect(stats.server.handlerRuns["Test#record"]).toBe(6);
    // Adopted records keep their own clientId and seq; the new tab's own reflex has a new clientId.
    expect(stats.effects.slice(0, 5).map((e) => [e.clientId, e.seq])).toEqual(range(1, 5).map((s) => [closedClientId, s]));
    const ownClientId = await second.evaluate(() => window.courier.clientId);
    expect(ownClientId).not.toBe(closedClientId);
    expect(stats.effects[5]).toEqual(expect.objectContaining({ clientId: ownClientId, seq: 1 }));
    await waitForPending(second, 0);
    expect((await ref.stats()).effects).toHaveLength(6);
    expect(world.errors).toEqual([]);
  });
});
