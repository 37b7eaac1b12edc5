// The campaign's verdict must be able to fail: each invariant, fed a ledger and server effects that break
// it, names the violation; the same data without the fault passes.
import { describe, expect, test } from "vitest";
import type { Effect } from "../support/ref-server";
import { judge, type TabEnd } from "./invariants";
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
