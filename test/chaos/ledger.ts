// The harness's own record of the campaign: every click (who made it, when, and what the page reported
// about it) and every fault, on one clock, so a violation can be printed with the faults around it.
export interface Click {
  n: number;
  tab: string;
  /** ms since the campaign started */
  at: number;
  accepted: boolean;
  /** `courier:queued` was heard: the page said it was durable. */
  queued: boolean;
  /** Page loads (their `__chaos.load` ids) that announced `courier:sent` for it. */
  sentBy: Set<string>;
  /** its operations were applied on some page */
  shown: boolean;
  /** named in a `courier:stale` event, and whether a page re-rendered from the server after it */
  stale: boolean;
  rerendered: boolean;
  /** page loads that applied its operations, and those that heard it in `courier:stale` (and when, Date.now()) */
  shownOn: Set<string>;
  staleOn: Map<string, number>;
  burst: boolean;
  /** its promise rejected, with this reason (told by the page as it happened) */
  failed?: string;
}

export interface FaultEntry {
  at: number;
  kind: string;
  detail: string;
  ms: number;
}

export class Ledger {
  readonly clicks = new Map<number, Click>();
  readonly faults: FaultEntry[] = [];
  private readonly byId = new Map<string, number>();
  /** per page load: the text of its last re-render (`#last` fetched from the page server) */
  readonly rerender = new Map<string, { text: string; at: number }>();
  /** every page load of the click-and-fault phase: its tab and when the page server rendered it (Date.now()) */
  readonly loads = new Map<string, { tab: string; renderedAt: number }>();
  /** reports whose reflex id was not known yet (a burst's `accepted` can die with its page), by id */
  private readonly orphans = new Map<string, Array<[kind: string, load: string, at: number]>>();
  /** page loads whose outbox fell back to memory (`courier:storage-degraded`) */
  readonly degraded = new Set<string>();
  /** stimulate() → courier:queued, in ms, per click */
  readonly queuedMs: Array<{ n: number; ms: number }> = [];
  private readonly started = Date.now();
  private nextN = 1;
  /** set before the final reload: loads from then on are not counted as re-renders */
  final = false;

  constructor(readonly total: number) {}

  now(): number {
    return Date.now() - this.started;
  }

  get remaining(): number {
    return this.total - (this.nextN - 1);
  }

  /** Claims up to `count` click numbers (unique across tabs, in the order they are made). */
  claim(tab: string, count = 1, burst = false): number[] {
    const ns: number[] = [];
    while (ns.length < count && this.nextN <= this.total) {
      const n = this.nextN++;
      this.clicks.set(n, { n, tab, at: this.now(), accepted: burst, queued: false, sentBy: new Set(), shown: false, stale: false, rerendered: false, shownOn: new Set(), staleOn: new Map(), burst });
      ns.push(n);
    }
    return ns;
  }

  /** A click beyond the campaign's budget (the final per-tab check). */
  extra(tab: string): number {
    const n = Math.max(this.total, ...this.clicks.keys()) + 1;
    this.clicks.set(n, { n, tab, at: this.now(), accepted: false, queued: false, sentBy: new Set(), shown: false, stale: false, rerendered: false, shownOn: new Set(), staleOn: new Map(), burst: false });
    return n;
  }

  /** What a page reported through `__chaosReport`; `n` is known only with `accepted`, later by the id. */
  report(kind: string, id: string, n: number, load: string, ms = -1): void {
    if (kind === "degraded") return void this.degraded.add(load);
    if (kind.startsWith("failed:")) {
      const failed = this.clicks.get(n);
      if (failed) failed.failed = kind.slice("failed:".length);
      return;
    }
    if (kind === "queued" && ms >= 0) this.queuedMs.push({ n: this.byId.get(id) ?? -1, ms });
    if (kind === "accepted") this.byId.set(id, n);
    if (kind === "rerender") this.rerender.set(load, { text: id, at: Date.now() });
    const click = this.clicks.get(kind === "accepted" ? n : (this.byId.get(id) ?? -1));
    if (!click) {
      if (kind !== "accepted" && kind !== "rerender") this.orphans.set(id, [...(this.orphans.get(id) ?? []), [kind, load, Date.now()]]);
      return;
    }
    if (kind === "accepted") click.accepted = true;
    if (kind === "queued") click.queued = true;
    if (kind === "sent") click.sentBy.add(load);
    if (kind === "shown") (click.shown = true), click.shownOn.add(load);
    if (kind === "stale") (click.stale = true), click.staleOn.set(load, Date.now());
    if (kind === "rerendered") click.rerendered = true;
  }

  /** The server's effects name each reflex id: reports heard before the id was known are counted now. */
  learn(id: string, n: number): void {
    if (this.byId.has(id) || !this.clicks.has(n)) return;
    this.byId.set(id, n);
    for (const [kind, load, at] of this.orphans.get(id) ?? []) {
      this.report(kind, id, -1, load);
      if (kind === "stale") this.clicks.get(n)!.staleOn.set(load, at);
    }
    this.orphans.delete(id);
  }

  /** What a page kept in localStorage: counted unless its binding report already was. */
  kept(load: string, kind: string, id: string, at: number): void {
    const click = this.clicks.get(this.byId.get(id) ?? -1);
    if (!click) return;
    if (kind === "shown" && !click.shownOn.has(load)) (click.shown = true), click.shownOn.add(load);
    if (kind === "stale" && !click.staleOn.has(load)) (click.stale = true), click.staleOn.set(load, at);
  }

  /** A page of `tab` loaded; `renderedAt` is when the page server rendered it. */
  loaded(tab: string, load: string, renderedAt: number): void {
    this.loads.set(load, { tab, renderedAt });
  }

  /**
   * A reflex named in `courier:stale` is shown once its page re-rendered (the in-page fetch) or its tab
   * loaded a page the page server rendered after the stale event (a reload, a reopened tab).
   */
  rerenderedAfterStale(click: Click): boolean {
    if (click.rerendered) return true;
    for (const [load, at] of click.staleOn) {
      const tab = this.loads.get(load)?.tab;
      for (const later of this.loads.values()) if (later.tab === tab && later.renderedAt > at) return true;
    }
    return false;
  }

  fault(kind: string, at: number, detail: string): void {
    this.faults.push({ at, kind, detail, ms: this.now() - at });
  }

  faultsAround(at: number, span = 3000): FaultEntry[] {
    return this.faults.filter((f) => f.at + f.ms >= at - span && f.at <= at + span);
  }
}
