// The campaign's verdict, computed from the harness's ledger and the server's committed effects alone.
// Each check is a named violation so the options (`--strict`) can decide which of them fail the run.
import type { Effect } from "../support/ref-server";
import type { Click, Ledger } from "./ledger";

export interface TabEnd {
  label: string;
  pending: string;
  /** n → "pending" | "ok" | failure reason, for the promises of the tab's current page load */
  settled: Record<number, string>;
  /** convergence before the final reload: what #last shows and what it should show */
  shownBefore: string;
  expectedBefore: string;
  /** after the final reload and one more click */
  shownAfter: string;
  expectedAfter: string;
}

export interface Figures {
  clicks: number;
  runs: number;
  lost: number;
  lostBeforeDurable: number;
  /** clicks made by burst-reload faults, and how many of those were lost */
  burstClicks: number;
  lostInBursts: number;
  failed: number;
  duplicated: number;
  outOfOrder: number;
  promises: Record<string, number>;
  staleBeforeReload: number;
  /** clicks that ran but whose operations no page applied */
  notShown: number;
  faults: Record<string, number>;
}

export interface Violation {
  rule: string;
  message: string;
  /** campaign ms of the click concerned, to print the faults around it */
  at?: number;
}

/** Which rules fail the run: the lax default tolerates the two known gaps of the current outbox. */
export interface Strictness {
  lostBeforeDurable: boolean;
  convergenceBeforeReload: boolean;
}

export function judge(ledger: Ledger, effects: Effect[], tabs: TabEnd[], errors: string[], strict: Strictness): { figures: Figures; violations: Violation[] } {
  const violations: Violation[] = [];
  const runsByN = new Map<number, number>();
  for (const e of effects) runsByN.set(e.n, (runsByN.get(e.n) ?? 0) + 1);

  const accepted = [...ledger.clicks.values()].filter((c) => c.accepted);
  const lost: Click[] = accepted.filter((c) => !runsByN.has(c.n));
  const settledAll = Object.assign({}, ...tabs.map((t) => t.settled)) as Record<number, string>;
  const failed = lost.filter((c) => settledAll[c.n] !== undefined && settledAll[c.n] !== "ok" && settledAll[c.n] !== "pending");
  const beforeDurable = lost.filter((c) => !c.queued && !failed.includes(c));
  for (const c of lost) {
    const before = beforeDurable.includes(c);
    const reason = failed.includes(c) ? `failed (${settledAll[c.n]})` : before ? "lost before durable (never queued)" : "lost after courier:queued";
    if (before && !strict.lostBeforeDurable) continue;
    violations.push({ rule: before ? "lost-before-durable" : "lost", message: `click ${c.n} (${c.tab}${c.burst ? ", burst" : ""}) never ran: ${reason}`, at: c.at });
  }

  const duplicated = [...runsByN].filter(([, runs]) => runs > 1);
  for (const [n, runs] of duplicated) violations.push({ rule: "duplicated", message: `click ${n} ran ${runs} times`, at: ledger.clicks.get(n)?.at });

  // Per client (one page load), effects must come in seq order and in click order (a repeat of the same
  // click is counted as duplicated above, not again here).
  let outOfOrder = 0;
  const lastOf = new Map<string, Effect>();
  for (const e of effects) {
    const key = e.clientId ?? "";
    const prev = lastOf.get(key);
    if (prev && prev.n !== e.n && ((e.seq ?? 0) <= (prev.seq ?? 0) || e.n < prev.n)) {
      outOfOrder++;
      violations.push({ rule: "out-of-order", message: `client ${key}: click ${e.n} (seq ${e.seq}) ran after click ${prev.n} (seq ${prev.seq})`, at: ledger.clicks.get(e.n)?.at });
    }
    lastOf.set(key, e);
  }

  const promises: Record<string, number> = {};
  for (const t of tabs) {
    if (t.pending !== "0") violations.push({ rule: "pending", message: `tab ${t.label}: data-cable-pending is ${t.pending}` });
    for (const [n, state] of Object.entries(t.settled)) {
      promises[state] = (promises[state] ?? 0) + 1;
      if (state === "pending") violations.push({ rule: "unsettled", message: `tab ${t.label}: the promise of click ${n} never settled`, at: ledger.clicks.get(Number(n))?.at });
    }
  }
  for (const message of errors) violations.push({ rule: "page-error", message });

  // Every committed reflex's operations should land on some page (its own, or the one that replayed it).
  const notShown = [...runsByN.keys()].map((n) => ledger.clicks.get(n)).filter((c): c is Click => c !== undefined && !c.shown);
  if (strict.convergenceBeforeReload)
    for (const c of notShown) violations.push({ rule: "not-shown", message: `click ${c.n} (${c.tab}) ran, but no page applied its operations`, at: c.at });

  let staleBeforeReload = 0;
  for (const t of tabs) {
    if (t.shownBefore !== t.expectedBefore) {
      staleBeforeReload++;
      if (strict.convergenceBeforeReload)
        violations.push({ rule: "convergence-before-reload", message: `tab ${t.label} shows "${t.shownBefore}", the server did "${t.expectedBefore}"` });
    }
    if (t.shownAfter !== t.expectedAfter)
      violations.push({ rule: "convergence-after-reload", message: `tab ${t.label} shows "${t.shownAfter}" after the final reload, the server did "${t.expectedAfter}"` });
  }

  const faults: Record<string, number> = {};
  for (const f of ledger.faults) faults[f.kind] = (faults[f.kind] ?? 0) + 1;
  return {
    figures: {
      clicks: accepted.length,
      runs: effects.length,
      lost: lost.length,
      lostBeforeDurable: beforeDurable.length,
      burstClicks: accepted.filter((c) => c.burst).length,
      lostInBursts: lost.filter((c) => c.burst).length,
      failed: failed.length,
      duplicated: duplicated.length,
      outOfOrder,
      promises,
      staleBeforeReload,
      notShown: notShown.length,
      faults,
    },
    violations,
  };
}
