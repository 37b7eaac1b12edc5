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
  burst: boolean;
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
  /** stimulate() → courier:queued, in ms, per click */
  readonly queuedMs: Array<{ n: number; ms: number }> = [];
  private readonly started = Date.now();
  private nextN = 1;

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
      this.clicks.set(n, { n, tab, at: this.now(), accepted: burst, queued: false, sentBy: new Set(), shown: false, burst });
      ns.push(n);
    }
    return ns;
  }

  /** A click beyond the campaign's budget (the final per-tab check). */
  extra(tab: string): number {
    const n = Math.max(this.total, ...this.clicks.keys()) + 1;
    this.clicks.set(n, { n, tab, at: this.now(), accepted: false, queued: false, sentBy: new Set(), shown: false, burst: false });
    return n;
  }

  /** What a page reported through `__chaosReport`; `n` is known only with `accepted`, later by the id. */
  report(kind: string, id: string, n: number, load: string, ms = -1): void {
    if (kind === "queued" && ms >= 0) this.queuedMs.push({ n: this.byId.get(id) ?? -1, ms });
    if (kind === "accepted") this.byId.set(id, n);
    const click = this.clicks.get(kind === "accepted" ? n : (this.byId.get(id) ?? -1));
    if (!click) return;
    if (kind === "accepted") click.accepted = true;
    if (kind === "queued") click.queued = true;
    if (kind === "sent") click.sentBy.add(load);
    if (kind === "shown") click.shown = true;
  }

  fault(kind: string, at: number, detail: string): void {
    this.faults.push({ at, kind, detail, ms: this.now() - at });
  }

  faultsAround(at: number, span = 3000): FaultEntry[] {
    return this.faults.filter((f) => f.at + f.ms >= at - span && f.at <= at + span);
  }
}
