// One seeded campaign: a reference server in a child process (file-backed store) behind the fault
// proxy, 1–3 tabs of one user clicking at seeded intervals, seeded faults, then the settle, the final
// reload and the verdict. Everything it starts it ends, by handle or PID.
import type { Browser } from "playwright-core";
import { freshContext, waitForState, waitUntil, WAIT } from "../support/browser";
import { startRefServer } from "../support/ref-server";
import { lastShown, startChaosPages } from "./chaos-pages";
import { startFaultProxy } from "./fault-proxy";
import { FAULT_KINDS, runClicks, runFaults, type FaultKind } from "./faults";
import { expectedShown, judge, type Figures, type Strictness, type TabEnd, type Violation } from "./invariants";
import { Ledger, type FaultEntry } from "./ledger";
import { seeded } from "./rng";
import { Tab } from "./tabs";

export interface CampaignOptions {
  seed: number;
  reflexes: number;
  /** 1–3; by default the seed picks it */
  tabs?: number;
  kinds?: readonly FaultKind[];
  /** ms between two clicks of one tab */
  clickGap?: [number, number];
  /** ms between the end of one fault and the start of the next */
  faultGap?: [number, number];
  /** strict by default: every rule fails the run; `{...: false}` only measures that rule */
  strict?: Partial<Strictness>;
  /** hard bound on the click-and-fault phase */
  maxMs?: number;
  /** every this many seconds, print each tab's outbox as the page holds it (`sampleTab`); 0 = never */
  sampleEvery?: number;
}

export interface CampaignResult {
  seed: number;
  tabs: number;
  ms: number;
  figures: Figures;
  /** stimulate() → courier:queued in the page, over every click whose queued event was heard */
  queuedMs: { p50: number; p99: number; max: number };
  /** the five slowest clicks to become durable, with the faults within 1 s of each */
  slowestQueued: Array<{ n: number; ms: number; tab: string; faults: FaultEntry[] }>;
  violations: Array<Violation & { faults: FaultEntry[] }>;
  faultLog: FaultEntry[];
  /** page loads whose outbox fell back to memory */
  degraded: number;
}

const SETTLE = WAIT * 3;

export async function runCampaign(browser: Browser, options: CampaignOptions): Promise<CampaignResult> {
  const started = Date.now();
  const rng = seeded(options.seed);
  const tabCount = options.tabs ?? rng.int(1, 3);
  const ledger = new Ledger(options.reflexes);
  const ref = await startRefServer();
  const proxy = await startFaultProxy(() => ref.port);
  const pages = await startChaosPages(`ws://127.0.0.1:${proxy.port}/cable`, ref.stateFile);
  const context = await freshContext(browser);
  const errors: string[] = [];
  let sampler: ReturnType<typeof setInterval> | undefined;
  try {
    context.on("page", (page) => page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`)));
    await context.exposeBinding("__chaosReport", (_source, kind: string, id: string, n: number, load: string, ms: number) =>
      ledger.report(kind, id, n, load, ms),
    );
    const tabs = Array.from({ length: tabCount }, (_, i) => new Tab(`t${i}`, context, pages, ledger));
    for (const tab of tabs) await tab.open();

    const deadline = Date.now() + (options.maxMs ?? 30 * 60_000);
    const gap = options.clickGap ?? [10, 150];
    const world = { ref, proxy, context, tabs, ledger };
    sampler = options.sampleEvery
      ? setInterval(() => {
          for (const tab of tabs) void sampleTab(tab).then((s) => console.error(`sample ${Math.round(ledger.now() / 1000)} s ${tab.label}: ${s}`));
        }, options.sampleEvery * 1000)
      : undefined;
    await Promise.all([
      runFaults(world, rng.fork("faults"), options.kinds ?? FAULT_KINDS, options.faultGap ?? [200, 1200], () => ledger.remaining === 0, deadline),
      ...tabs.map((tab) => runClicks(tab, ledger, rng.fork(`clicks:${tab.label}`), gap, deadline)),
    ]);

    clearInterval(sampler);
    // Settle: every fault has healed; wait for the outbox to drain everywhere (a stuck one is a finding).
    const ends: TabEnd[] = [];
    for (const tab of tabs) {
      const page = tab.page!;
      await waitForState(page, "connected", SETTLE).catch(() => undefined);
      const pending = await waitUntil(() => tab.pending(), (p) => p === "0", "pending 0", SETTLE).catch(() => tab.pending());
      const settled = await waitUntil(() => tab.settled(), (s) => !Object.values(s).includes("pending"), "promises settled", WAIT).catch(() => tab.settled());
      await waitUntil(() => tab.rerendering(), (busy) => !busy, "stale re-render done", WAIT).catch(() => undefined);
      ends.push({ label: tab.label, pending, settled, shownBefore: "", expectedBefore: "", shownAfter: "", expectedAfter: "" });
    }
    const effects = (await ref.stats()).effects;
    for (const e of effects) ledger.learn(e.id, e.n);
    for (const [load, kind, id, at] of await tabs[0].kept()) ledger.kept(load, kind, id, at);
    // Before the final reload a tab shows whichever the server did last (in commit order) of: the last
    // committed effect of the reflexes its page load sent, and what its last `courier:stale` re-render
    // fetched from the page server (the server's state when it re-rendered); else its first render.
    for (const [i, tab] of tabs.entries()) {
      const shown = await tab.shown();
      ends[i].shownBefore = shown.text;
      ends[i].expectedBefore = expectedShown(effects, ledger, tab.load, shown.rendered);
    }
    // The final reload renders what the server did; one more click must then show its own effect.
    ledger.final = true;
    for (const [i, tab] of tabs.entries()) {
      await tab.reload();
      const rendered = (await tab.shown()).text;
      const server = lastShown(ref.stateFile, tab.label);
      const n = ledger.extra(tab.label);
      await waitForState(tab.page!, "connected", SETTLE).catch(() => undefined);
      await tab.click(n);
      const settled = await waitUntil(() => tab.settled(), (s) => s[n] !== "pending", `final click ${n}`, SETTLE).catch(() => tab.settled());
      const shown = await waitUntil(() => tab.shown(), (s) => s.text === `${tab.label}:${n}`, `final click ${n} shown`, WAIT).catch(() => tab.shown());
      ends[i].shownAfter = rendered === server ? shown.text : `rendered ${rendered}`;
      ends[i].expectedAfter = rendered === server ? `${tab.label}:${n}` : `rendered ${server}`;
      ends[i].settled = { ...ends[i].settled, ...settled };
      ends[i].pending = await waitUntil(() => tab.pending(), (p) => p === "0", "pending 0", SETTLE).catch(() => tab.pending());
    }
    const finalEffects = (await ref.stats()).effects;
    for (const e of finalEffects) ledger.learn(e.id, e.n);
    const strict: Strictness = { lostBeforeDurable: true, convergenceBeforeReload: true, ...options.strict };
    const verdict = judge(ledger, finalEffects, ends, errors, strict);
    const quantile = (q: number) => {
      const sorted = ledger.queuedMs.map((q) => q.ms).sort((a, b) => a - b);
      return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
    };
    return {
      seed: options.seed,
      tabs: tabCount,
      ms: Date.now() - started,
      figures: verdict.figures,
      queuedMs: { p50: quantile(0.5), p99: quantile(0.99), max: quantile(1) },
      slowestQueued: [...ledger.queuedMs]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 5)
        .map(({ n, ms }) => {
          const click = ledger.clicks.get(n);
          return { n, ms, tab: click?.tab ?? "?", faults: click ? ledger.faultsAround(click.at, 1000) : [] };
        }),
      violations: verdict.violations.map((v) => ({ ...v, faults: v.at === undefined ? ledger.faults.slice(-5) : ledger.faultsAround(v.at) })),
      faultLog: ledger.faults,
      degraded: ledger.degraded.size,
    };
  } finally {
    clearInterval(sampler); // also when the click-and-fault phase threw
    // A failure in the middle of a "stop" fault must not leave the server frozen for stop() to wait on.
    if (ref.pid) process.kill(ref.pid, "SIGCONT");
    await context.close().catch(() => undefined);
    await pages.close();
    await proxy.close();
    await ref.stop();
  }
}

/**
 * For diagnosis only (`--sample`): the page's outbox read through its private fields, so it names them and
 * breaks quietly (prints the error) when they are renamed: loaded or not, early reflexes, pending, the
 * connection state and, per lane, its clientId prefix and its records counted by state kind.
 */
async function sampleTab(tab: Tab): Promise<string> {
  return (await tab.page
    ?.evaluate(() => {
      type Lane = { clientId: string; own: boolean; moving: number; entries: Array<{ state: { kind: string; void?: string } }> };
      const outbox = (window as unknown as { courier?: { _outbox?: Record<string, unknown> } }).courier?._outbox as
        | { _loaded?: boolean; _ctx?: { ledger: { early: number; lanes: Map<string, Lane> } } }
        | undefined;
      const ledger = outbox?._ctx?.ledger;
      const lanes = ledger
        ? [...ledger.lanes.values()].map((lane) => {
            const kinds: Record<string, number> = {};
            for (const { state } of lane.entries) {
              const kind = state.kind + (state.void ? `:${state.void}` : "");
              kinds[kind] = (kinds[kind] ?? 0) + 1;
            }
            return `${lane.clientId.slice(0, 6)}${lane.own ? "*" : ""}${lane.moving ? "(moving)" : ""} ${JSON.stringify(kinds)}`;
          })
        : ["no ledger"];
      const html = document.documentElement;
      return `loaded ${outbox?._loaded} early ${ledger?.early} pending ${html.getAttribute("data-cable-pending")} ${html.getAttribute("data-cable-state")}; ${lanes.join("; ")}`;
    })
    .catch((error: unknown) => `not read: ${String(error).slice(0, 80)}`)) ?? "no page";
}
