// The campaign's verdict must be able to fail: each invariant, fed a ledger and server effects that break
// it, names the violation; the same data without the fault passes.
import { describe, expect, test } from "vitest";
import type { Effect } from "../support/ref-server";
import { expectedShown, judge, type TabEnd } from "./invariants";
import { Ledger } from "./ledger";

const effect = (n: number, clientId: string, seq: number): Effect => ({
  target: "Test#record", n, who: "t0", id: `id-${n}`, clientId, seq, identity: "chaos", pid: 1,
});
const tab = (over: Partial<TabEnd> = {}): TabEnd => ({
  label: "t0", pending: "0", settled: {}, shownBefore: "t0:3", expectedBefore: "t0:3", shownAfter: "t0:4", expectedAfter: "t0:4", ...over,
});
const lax = { lostBeforeDurable: false, convergenceBeforeReload: false };

function ledgerOf(count: number, queued = true): Ledger {
  const ledger = new Ledger(count);
  for (const n of ledger.claim("t0", count)) {
    ledger.report("accepted", `id-${n}`, n, "load-a");
    if (queued) ledger.report("queued", `id-${n}`, -1, "load-a");
    ledger.report("shown", `id-${n}`, -1, "load-a");
  }
  return ledger;
}

describe("chaos invariants", () => {
  test("three clicks run once each, in order, pass", () => {
    const { figures, violations } = judge(ledgerOf(3), [1, 2, 3].map((n) => effect(n, "c1", n)), [tab()], [], lax);
    expect(violations).toEqual([]);
    expect(figures).toMatchObject({ clicks: 3, runs: 3, lost: 0, duplicated: 0, outOfOrder: 0 });
  });

  test("a click that ran twice, one that never ran after being queued, and a seq run backwards are each named", () => {
    // 1 twice; 3 never; client c2 ran its seq 2 (click 4) before its seq 1 (click 2).
    const effects = [effect(1, "c1", 1), effect(1, "c1", 1), effect(4, "c2", 2), effect(2, "c2", 1)];
    const { figures, violations } = judge(ledgerOf(4), effects, [tab()], [], lax);
    expect(figures).toMatchObject({ duplicated: 1, lost: 1, lostBeforeDurable: 0, outOfOrder: 1 });
    expect(violations.map((v) => v.rule).sort()).toEqual(["duplicated", "lost", "out-of-order"]);
  });

  test("a click lost before it was durable is counted; only --strict fails it", () => {
    const ledger = ledgerOf(2, false);
    const effects = [effect(1, "c1", 1)];
    expect(judge(ledger, effects, [tab()], [], lax)).toMatchObject({ figures: { lost: 1, lostBeforeDurable: 1 }, violations: [] });
    expect(judge(ledger, effects, [tab()], [], { ...lax, lostBeforeDurable: true }).violations.map((v) => v.rule)).toEqual(["lost-before-durable"]);
  });

  test("a click that ran but whose operations no page applied is counted; only --strict fails it", () => {
    const ledger = ledgerOf(2);
    ledger.clicks.get(2)!.shown = false;
    const effects = [effect(1, "c1", 1), effect(2, "c1", 2)];
    expect(judge(ledger, effects, [tab()], [], lax)).toMatchObject({ figures: { notShown: 1 }, violations: [] });
    expect(judge(ledger, effects, [tab()], [], { ...lax, convergenceBeforeReload: true }).violations.map((v) => v.rule)).toEqual(["not-shown"]);
  });

  test("a click named in courier:stale counts as shown only once a page re-rendered after it", () => {
    const ledger = ledgerOf(2);
    const click = ledger.clicks.get(2)!;
    click.shown = false;
    ledger.report("stale", "id-2", -1, "load-a");
    const effects = [effect(1, "c1", 1), effect(2, "c1", 2)];
    const strict = { lostBeforeDurable: true, convergenceBeforeReload: true };
    const before = judge(ledger, effects, [tab()], [], strict);
    expect(before.figures).toMatchObject({ notShown: 1, stale: 1, staleRerendered: 0 });
    expect(before.violations.map((v) => v.message)).toEqual([expect.stringContaining("no re-render followed")]);
    ledger.report("rerendered", "id-2", -1, "load-a");
    expect(judge(ledger, effects, [tab()], [], strict)).toMatchObject({ figures: { notShown: 0, stale: 1, staleRerendered: 1 }, violations: [] });
  });

  test("a stale reflex is shown when its tab later loads a page rendered after the event; reports for an id learned late count", () => {
    const ledger = new Ledger(1);
    ledger.claim("t0", 1, true); // a burst click: its `accepted` died with the page
    ledger.report("stale", "id-1", -1, "load-b");
    ledger.loaded("t0", "load-b", Date.now() - 10);
    const strict = { lostBeforeDurable: true, convergenceBeforeReload: true };
    ledger.learn("id-1", 1);
    expect(judge(ledger, [effect(1, "c1", 1)], [tab()], [], strict).figures).toMatchObject({ stale: 1, notShown: 1 });
    ledger.loaded("t1", "load-x", Date.now() + 10); // another tab's page does not count
    expect(judge(ledger, [effect(1, "c1", 1)], [tab()], [], strict).figures).toMatchObject({ notShown: 1 });
    ledger.loaded("t0", "load-c", Date.now() + 10);
    expect(judge(ledger, [effect(1, "c1", 1)], [tab()], [], strict)).toMatchObject({ figures: { stale: 1, staleRerendered: 1, notShown: 0 }, violations: [] });
  });

  test("before the final reload a page should show the later of the last reflex it applied and its last re-render", () => {
    const ledger = ledgerOf(3); // reports every click shown on load-a
    const effects = [effect(1, "c1", 1), effect(2, "c1", 2), effect(3, "c2", 1)];
    ledger.clicks.get(3)!.shownOn.clear();
    expect(expectedShown(effects, ledger, "load-a", "")).toBe("t0:2");
    ledger.report("rerender", "t0:1", -1, "load-a"); // an older re-render does not undo a later reflex
    expect(expectedShown(effects, ledger, "load-a", "")).toBe("t0:2");
    ledger.report("stale", "id-3", -1, "load-a"); // click 3 came back from the store: a re-render is due
    ledger.clicks.get(3)!.staleOn.set("load-a", Date.now() + 5);
    expect(expectedShown(effects, ledger, "load-a", "")).toBe("a re-render after t0:3 (courier:stale)");
    ledger.report("rerender", "t0:3", -1, "load-a");
    ledger.rerender.get("load-a")!.at = Date.now() + 10;
    expect(expectedShown(effects, ledger, "load-a", "")).toBe("t0:3");
    expect(expectedShown(effects, ledger, "load-b", "t0:0")).toBe("t0:0"); // got no answer, no re-render
  });

  test("pending left, a promise never settled, a page error and a stale page are violations", () => {
    const ends = [tab({ pending: "2", settled: { 1: "pending", 2: "ok" }, shownBefore: "t0:1", shownAfter: "t0:2" })];
    const { figures, violations } = judge(ledgerOf(2), [effect(1, "c1", 1), effect(2, "c1", 2)], ends, ["boom"], lax);
    expect(figures.promises).toEqual({ pending: 1, ok: 1 });
    expect(figures.staleBeforeReload).toBe(1);
    expect(violations.map((v) => v.rule).sort()).toEqual(["convergence-after-reload", "page-error", "pending", "unsettled"]);
    expect(judge(ledgerOf(2), [effect(1, "c1", 1), effect(2, "c1", 2)], ends, [], { ...lax, convergenceBeforeReload: true }).violations.map((v) => v.rule)).toContain(
      "convergence-before-reload",
    );
  });
});
