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
  /** clicks that ran but whose operations no page applied, and no page re-rendered after a courier:stale naming it */
  notShown: number;
  /** clicks that ran and were named in a courier:stale event, and how many of those a page re-rendered after */
  stale: number;
  staleRerendered: number;
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
  for (const c of accepted) if (c.failed !== undefined && settledAll[c.n] === undefined) settledAll[c.n] = c.failed;
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
  // A reflex named in `courier:stale` counts once a page re-rendered from the server after it.
  const ran = [...runsByN.keys()].map((n) => ledger.clicks.get(n)).filter((c): c is Click => c !== undefined);
  const notShown = ran.filter((c) => !c.shown && !ledger.rerenderedAfterStale(c));
  if (strict.convergenceBeforeReload)
    for (const c of notShown)
      violations.push({
        rule: "not-shown",
        message: `click ${c.n} (${c.tab}) ran, but no page applied its operations${c.stale ? " (named in courier:stale, no re-render followed)" : ""}` +
          ` [${c.queued ? "queued" : "queued unheard"}, sent by ${c.sentBy.size} page load(s)]`,
        at: c.at,
      });

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
      stale: ran.filter((c) => c.stale).length,
      staleRerendered: ran.filter((c) => c.stale && ledger.rerenderedAfterStale(c)).length,
      faults,
    },
    violations,
  };
}

const label = (e: Effect) => `${e.who}:${e.n}`;

/**
 * What a page load should show once everything settled. The server answers a reflex on the connection
 * that sent it last and tells no other tab, so a page is held to the answers it got: the later (in the
 * server's commit order) of the last reflex whose operations it applied and what its last `courier:stale`
 * re-render fetched (the server's render then, of this tab's label); a page that heard `courier:stale`
 * after its last re-render still owes one. A page that got neither shows its first render.
 */
export function expectedShown(effects: Effect[], ledger: Ledger, load: string, rendered: string): string {
  const last = (has: (c: Click) => boolean) => {
    let at = -1;
    effects.forEach((e, i) => {
      const c = ledger.clicks.get(e.n);
      if (c !== undefined && has(c)) at = i;
    });
    return at;
  };
  const applied = last((c) => c.shownOn.has(load));
  // The last courier:stale this page heard, by the time the harness heard it.
  let staled = -1;
  let staleAt = -Infinity;
  effects.forEach((e, i) => {
    const at = ledger.clicks.get(e.n)?.staleOn.get(load);
    if (at !== undefined && at >= staleAt) (staled = i), (staleAt = at);
  });
  const fetched = ledger.rerender.get(load);
  if (staled >= 0 && (fetched === undefined || fetched.at < staleAt)) return `a re-render after ${label(effects[staled])} (courier:stale)`;
  const at = fetched?.text ? effects.map(label).lastIndexOf(fetched.text) : -1;
  if (fetched !== undefined && at >= applied) return fetched.text;
  return applied >= 0 ? label(effects[applied]) : rendered;
}
