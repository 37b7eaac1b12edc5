// `npm run chaos -- [--seed N | --seeds 1,2,3] [--reflexes N] [--tabs 1-3] [--kinds a,b] [--lax] [--verbose] [--sample S]`:
// runs the campaign once per seed, prints the figures, and exits non-zero on any violation.
import { launchBrowser } from "../support/browser";
import { runCampaign, type CampaignResult } from "./campaign";
import { FAULT_KINDS, type FaultKind } from "./faults";
import { formatResult, formatTotal } from "./report";

export interface CliOptions {
  seeds: number[];
  reflexes: number;
  tabs?: number;
  kinds: FaultKind[];
  /** strict is the default; `--lax` only measures lost-before-durable and convergence before the reload */
  strict: boolean;
  /** print every fault with its time and detail */
  verbose: boolean;
  /** seconds between samples of each tab's outbox (0: none) */
  sample: number;
}

export function parseArgs(argv: string[]): CliOptions {
  const value = (name: string) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const numbers = (text: string) => text.split(",").map((s) => Number(s.trim())).filter((n) => Number.isInteger(n));
  const seeds = value("seeds") ? numbers(value("seeds")!) : value("seed") ? numbers(value("seed")!) : [1, 2, 3];
  const kinds = value("kinds") ? (value("kinds")!.split(",") as FaultKind[]) : [...FAULT_KINDS];
  const unknown = kinds.filter((k) => !FAULT_KINDS.includes(k));
  if (unknown.length) throw new Error(`unknown fault kind(s) ${unknown.join(", ")}; known: ${FAULT_KINDS.join(", ")}`);
  const tabs = value("tabs") ? Number(value("tabs")) : undefined;
  if (tabs !== undefined && !(tabs >= 1 && tabs <= 3)) throw new Error("--tabs takes 1, 2 or 3");
  return { seeds, reflexes: Number(value("reflexes") ?? 500), tabs, kinds, strict: !argv.includes("--lax"), verbose: argv.includes("--verbose"),
    sample: Number(value("sample") ?? 0) };
}

export async function main(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  console.log(`chaos: seeds ${options.seeds.join(",")}, ${options.reflexes} reflexes each, tabs ${options.tabs ?? "by seed"}, ` +
    `${options.strict ? "strict" : "lax (lost-before-durable and convergence before the final reload are reported, not failed)"}`);
  const browser = await launchBrowser();
  const results: CampaignResult[] = [];
  try {
    for (const seed of options.seeds) {
      const result = await runCampaign(browser, {
        seed,
        reflexes: options.reflexes,
        tabs: options.tabs,
        kinds: options.kinds,
        strict: { lostBeforeDurable: options.strict, convergenceBeforeReload: options.strict },
        sampleEvery: options.sample,
      });
      results.push(result);
      console.log(formatResult(result));
      if (options.verbose) {
        for (const f of result.faultLog) console.log(`    ${f.at} ms ${f.kind} (${f.detail}, ${f.ms} ms)`);
        for (const q of result.slowestQueued)
          console.log(`  slow to durable: click ${q.n} (${q.tab}) ${q.ms.toFixed(0)} ms; faults near: ${q.faults.map((f) => `${f.kind} ${f.detail}`).join("; ") || "none"}`);
      }
    }
  } finally {
    await browser.close();
  }
  console.log(formatTotal(results));
  return results.some((r) => r.violations.length > 0) ? 1 : 0;
}
