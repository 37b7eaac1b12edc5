// `npm run bench [-- --quick] [-- --only=1,3]`: every figure of issue 6 in one run, baselines measured
// in the same run on the same machine. Prints one table and writes bench/results/latest.json.
import { fileURLToPath } from "node:url";
import { launchBrowser } from "./lib/browser.mjs";
import { startStatic } from "./lib/static.mjs";
import { machine, table, writeResults } from "./lib/report.mjs";
import { restartRow } from "./rows/restart.mjs";
import { freezeRow } from "./rows/freeze.mjs";
import { enqueueRow } from "./rows/enqueue.mjs";
import { drainRow } from "./rows/drain.mjs";
import { morphRow } from "./rows/morph.mjs";
import { bytesRow } from "./rows/bytes.mjs";
import { connectionsRow } from "./rows/connections.mjs";
import { gemRow } from "./rows/gem.mjs";
import { plainDrainRow } from "./rows/plain-drain.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.find((a) => a.startsWith("--only="))?.slice(7).split(",").map(Number);
const log = (message) => console.error(message);

const ROWS = [
  [1, "restart", restartRow],
  [2, "freeze", freezeRow],
  [3, "enqueue", enqueueRow],
  [4, "drain", drainRow],
  [5, "morph", morphRow],
  [6, "bytes", bytesRow],
  [7, "connections", connectionsRow],
  [8, "gem", gemRow],
  [9, "plain drain", plainDrainRow],
];

async function runRow([n, name, fn], context) {
  const started = Date.now();
  log(`row ${n} (${name})…`);
  try {
    const rows = await fn(context);
    log(`row ${n} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return rows;
  } catch (error) {
    log(`row ${n} failed: ${error.stack ?? error}`);
    return [{ figure: `${n}. ${name}`, ours: "error", baseline: "", ratio: "", goal: "", status: "ERROR", data: { error: String(error.stack ?? error) } }];
  }
}

const started = Date.now();
const statics = await startStatic(ROOT);
const browser = await launchBrowser();
const context = { root: ROOT, baseUrl: statics.url, browser, quick, log };
const selected = ROWS.filter(([n]) => !only || only.includes(n));
const results = [];
try {
  // Quick mode runs the freeze row (mostly idle waiting on stock's 40 s bound) beside the restart row.
  const parallel = quick && selected.some(([n]) => n === 1) && selected.some(([n]) => n === 2);
  const rest = parallel ? selected.filter(([n]) => n > 2) : selected;
  if (parallel) results.push(...(await Promise.all(selected.filter(([n]) => n <= 2).map((row) => runRow(row, context)))).flat());
  for (const row of rest) results.push(...(await runRow(row, context)));
} finally {
  await browser.close();
  await statics.close();
}

const seconds = (Date.now() - started) / 1000;
console.log(`\ncable-courier bench (${quick ? "quick" : "full"}, ${new Date().toISOString()}, ${seconds.toFixed(0)} s)\n`);
console.log(table(results));
const file = await writeResults(ROOT, { date: new Date().toISOString(), mode: quick ? "quick" : "full", seconds, machine: machine(), rows: results });
console.log(`\nraw samples: ${file.replace(`${ROOT}/`, "")}`);
process.exit(results.some((r) => r.status === "ERROR") ? 1 : 0);
