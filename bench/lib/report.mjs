// The one table the bench prints, and bench/results/latest.json (gitignored) with every raw sample.
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";

const COLUMNS = ["figure", "ours", "baseline", "ratio", "goal", "status"];

export function table(rows) {
  const cells = [COLUMNS, ...rows.map((row) => COLUMNS.map((c) => String(row[c] ?? "")))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  return [line(cells[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.slice(1).map(line)].join("\n");
}

export function machine() {
  const cpu = cpus();
  return { cpus: cpu.length, model: cpu[0]?.model ?? "unknown", memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
}

export async function writeResults(root, result) {
  await mkdir(`${root}/bench/results`, { recursive: true });
  const file = `${root}/bench/results/latest.json`;
  await writeFile(file, JSON.stringify(result, (_k, v) => (v === Infinity ? "Infinity" : v), 2));
  return file;
}
