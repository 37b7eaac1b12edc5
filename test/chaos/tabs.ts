// One browser tab of the campaign: its label (the `who` of its reflexes), its current page and page
// load, and a lock so a click and a reload/close of the same tab never overlap (a click in flight
// across a navigation would leave unknown whether stimulate() ran).
import type { BrowserContext, Page } from "playwright-core";
import { WAIT, waitUntil } from "../support/browser";
import type { ChaosPages } from "./chaos-pages";
import type { Ledger } from "./ledger";

interface ChaosWindow {
  __ready?: boolean;
  __chaos: { load: string; settled: Record<number, string>; rerendering(): boolean; click(n: number, who: string, target?: string): void };
}

export class Tab {
  page: Page | undefined;
  load = "";
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly label: string,
    private readonly context: BrowserContext,
    private readonly pages: ChaosPages,
    private readonly ledger: Ledger,
  ) {}

  /** Runs `job` once every earlier job of this tab is done. */
  exclusive<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async open(): Promise<void> {
    this.page = await this.context.newPage();
    await this.page.goto(this.pages.url(this.label));
    await this.loaded("");
  }

  async close(): Promise<void> {
    await this.page?.close();
    this.page = undefined;
  }

  async reload(): Promise<void> {
    const before = this.load;
    await this.page!.reload();
    await this.loaded(before);
  }

  /** One click: stimulate() in the page, which reports `accepted` once it returned a promise. */
  async click(n: number, target = "Test#record"): Promise<void> {
    await this.page!.evaluate(
      ([n, who, target]) => (window as unknown as ChaosWindow).__chaos.click(n, who, target),
      [n, this.label, target] as const,
    );
  }

  /** `ns.length` × stimulate() then location.reload(), all in one task of the page. */
  async burstThenReload(ns: number[]): Promise<void> {
    const before = this.load;
    await this.page!
      .evaluate(([ns, who]) => {
        const refused: number[] = [];
        for (const n of ns) {
          try {
            (window as unknown as ChaosWindow).__chaos.click(n, who);
          } catch {
            refused.push(n);
          }
        }
        sessionStorage.setItem("chaos-refused", JSON.stringify(refused));
        location.reload();
      }, [ns, this.label] as const)
      .catch(() => undefined); // the reload may destroy the context before the answer comes back
    await this.loaded(before);
    const refused = await this.page!.evaluate(() => JSON.parse(sessionStorage.getItem("chaos-refused") ?? "[]") as number[]);
    for (const n of refused) this.ledger.clicks.get(n)!.accepted = false;
  }

  /** What each live promise of this page load became: "pending", "ok" or a failure reason. */
  settled(): Promise<Record<number, string>> {
    return this.page!.evaluate(() => (window as unknown as ChaosWindow).__chaos.settled);
  }

  shown(): Promise<{ text: string; rendered: string }> {
    return this.page!.evaluate(() => {
      const p = document.getElementById("last")!;
      return { text: p.textContent ?? "", rendered: p.dataset.rendered ?? "" };
    });
  }

  /** a `courier:stale` re-render is waiting or under way in the page */
  rerendering(): Promise<boolean> {
    return this.page!.evaluate(() => (window as unknown as ChaosWindow).__chaos.rerendering());
  }

  /** `[load, kind, id, at]` of every operation applied and every courier:stale heard, kept in localStorage */
  kept(): Promise<Array<[string, string, string, number]>> {
    return this.page!.evaluate(() =>
      Object.keys(localStorage)
        .filter((key) => key.startsWith("chaos|"))
        .map((key) => {
          const [, load, kind, id] = key.split("|");
          return [load, kind, id, Number(localStorage.getItem(key))] as [string, string, string, number];
        }),
    );
  }

  pending(): Promise<string> {
    return this.page!.evaluate(() => document.documentElement.getAttribute("data-cable-pending") ?? "0");
  }

  /** Waits for a new page load (not `before`) whose courier has loaded the outbox. */
  private async loaded(before: string): Promise<void> {
    const page = this.page!;
    this.load = await waitUntil(
      () =>
        page
          .evaluate(() => {
            const w = window as unknown as ChaosWindow;
            return w.__ready === true ? w.__chaos.load : "";
          })
          .catch(() => ""),
      (load) => load !== "" && load !== before,
      `tab ${this.label} to load`,
      WAIT * 2,
    );
    const renderedAt = await page.evaluate(() => Number(document.getElementById("last")!.dataset.renderedAt));
    if (this.ledger.final) return; // the final reload is not a re-render of the campaign's pages
    this.ledger.loaded(this.label, this.load, renderedAt);
  }
}
