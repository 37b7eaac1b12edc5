// Prints a campaign's figures, one line per seed plus a total, and each violation with its seed and
// the faults around it, so it can be run again with `--seed`.
import type { CampaignResult } from "./campaign";

const kinds = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(", ") || "none";

export function formatResult(r: CampaignResult): string {
  const f = r.figures;
  const lines = [
    `seed ${r.seed}: ${r.tabs} tab(s), ${f.clicks} clicks, ${f.runs} runs, lost ${f.lost} (before durable ${f.lostBeforeDurable}, failed ${f.failed}; ${f.lostInBursts} of ${f.burstClicks} burst clicks), ` +
      `duplicated ${f.duplicated}, out of order ${f.outOfOrder}, never shown ${f.notShown}, courier:stale ${f.stale} (re-rendered ${f.staleRerendered}), stale before reload ${f.staleBeforeReload}/${r.tabs}, ${(r.ms / 1000).toFixed(1)} s`,
    `  faults: ${kinds(f.faults)}`,
    `  promises: ${kinds(f.promises)}; stimulate() → courier:queued p50 ${r.queuedMs.p50.toFixed(1)} ms, p99 ${r.queuedMs.p99.toFixed(1)} ms, max ${r.queuedMs.max.toFixed(1)} ms; storage degraded on ${r.degraded} page load(s)`,
  ];
  // A few of each rule with the faults around them; a lost burst would otherwise print twenty times.
  const byRule = new Map<string, typeof r.violations>();
  // Burst clicks last: a loss outside a burst is the rarer, more telling one.
  const ordered = [...r.violations].sort((a, b) => Number(a.message.includes("burst")) - Number(b.message.includes("burst")));
  for (const v of ordered) byRule.set(v.rule, [...(byRule.get(v.rule) ?? []), v]);
  for (const [rule, list] of byRule) {
    for (const v of list.slice(0, 3)) {
      lines.push(`  VIOLATION [${rule}] seed ${r.seed}: ${v.message}${v.at === undefined ? "" : ` (at ${v.at} ms)`}`);
      for (const fault of v.faults) lines.push(`      ${fault.at} ms ${fault.kind} (${fault.detail}, ${fault.ms} ms)`);
    }
    if (list.length > 3) lines.push(`  … ${list.length - 3} more [${rule}]`);
  }
  return lines.join("\n");
}

export function formatTotal(results: CampaignResult[]): string {
  const sum = (key: "clicks" | "runs" | "lost" | "lostBeforeDurable" | "duplicated" | "outOfOrder" | "notShown") => results.reduce((a, r) => a + r.figures[key], 0);
  const faults: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.figures.faults)) faults[k] = (faults[k] ?? 0) + v;
  const violations = results.reduce((a, r) => a + r.violations.length, 0);
  return (
    `total: ${results.length} seed(s), ${sum("clicks")} clicks, ${sum("runs")} runs, lost ${sum("lost")} (before durable ${sum("lostBeforeDurable")}), ` +
    `duplicated ${sum("duplicated")}, out of order ${sum("outOfOrder")}, never shown ${sum("notShown")}, faults ${Object.values(faults).reduce((a, b) => a + b, 0)} (${kinds(faults)}), ` +
    `${(results.reduce((a, r) => a + r.ms, 0) / 1000).toFixed(1)} s, ${violations} violation(s)`
  );
}
