// Row 7: how many connections one server process holds, what each costs in RSS, and reflex round trips
// (send → committed, 200/s) while they are all held. Load generators are child processes (Node + ws)
// speaking ActionCable and subscribing to the reflex channel; loopback only; each exits by itself.
// Baseline: the Rails 6.1 puma peer of test/rails (startRailsPeer) at the same count, when it can run.
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { Child } from "../lib/child.mjs";
import { roundTrips } from "../lib/rtt.mjs";
import { importTs } from "../lib/ts-import.mjs";
import { ms, percentile, ratio, sleep } from "../lib/stats.mjs";

const GENERATORS = 2;

export async function connectionsRow({ root, quick, log }) {
  const target = quick ? 2000 : 10_000;
  const plan = { target, openWithin: quick ? 40_000 : 120_000, rate: 200, seconds: quick ? 3 : 10 };
  const ours = await measureOurs(plan, log);
  log(`  ours: held ${ours.held}, ${ours.perConnection?.toFixed(0)} B/conn, rtt p50 ${showRtt(ours.p50)} p99 ${showRtt(ours.p99)}`);
  const rails = await measureRails(root, plan, log);
  if (rails.held !== undefined) log(`  rails: held ${rails.held}, ${rails.perConnection?.toFixed(0)} B/conn, rtt p50 ${showRtt(rails.p50)} p99 ${showRtt(rails.p99)}`);
  const base = (value, show) => (rails.skipped ? `not measured (${rails.skipped})` : value === undefined ? "n/a" : show(value));
  const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
  return [
    {
      figure: `7a. connections held by one server process (target ${target.toLocaleString("en")})`,
      ours: String(ours.held),
      baseline: base(rails.held, (v) => `${v} (Rails 6.1 + puma)`),
      ratio: rails.held ? `${(ours.held / rails.held).toFixed(2)}× as many` : "n/a",
      goal: `holds ${target.toLocaleString("en")}`,
      status: ours.held >= target ? "OK" : "MISSED",
      data: { ours, rails, plan },
    },
    {
      figure: "7b. server RSS per held connection",
      ours: ours.perConnection === undefined ? "n/a" : kib(ours.perConnection),
      baseline: base(rails.perConnection, kib),
      ratio: ratio(ours.perConnection, rails.perConnection),
      goal: "—",
      status: "—",
    },
    {
      figure: `7c. reflex send → committed at ${plan.rate}/s, all held (p50 / p99)`,
      ours: `${showRtt(ours.p50)} / ${showRtt(ours.p99)}${lost(ours)}`,
      baseline: base(rails.p50, () => `${showRtt(rails.p50)} / ${showRtt(rails.p99)}${lost(rails)} at ${rails.held} held`),
      ratio: ratio(ours.p50, rails.p50),
      goal: "—",
      status: "—",
    },
  ];
}

// An unanswered reflex counts as slower than any answered one.
const showRtt = (value) => (value === Infinity ? "unanswered" : ms(value));
const lost = (side) => (side.sent > side.answered ? ` (${side.sent - side.answered} of ${side.sent} unanswered in 15 s)` : "");

async function rssOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

/** Opens `target` connections from GENERATORS children; resolves when all settled or the time ran out. */
async function hold(cableUrl, origin, plan) {
  const each = Math.ceil(plan.target / GENERATORS);
  const ttl = plan.openWithin + 180_000;
  return Promise.all(Array.from({ length: GENERATORS }, (_, i) =>
    Child.start("load/generator.mjs", [cableUrl, Math.min(each, plan.target - i * each), origin, plan.openWithin, ttl, 100], { timeout: plan.openWithin + 15_000 })));
}

async function underLoad({ cableUrl, origin, target, idle, rss }, plan, log) {
  let generators = [];
  try {
    generators = await hold(cableUrl, origin, plan);
    const opened = generators.reduce((sum, g) => sum + g.info.held, 0);
    log(`  ${opened} of ${plan.target} held; measuring`);
    await sleep(2000);
    const rtt = await roundTrips({ cableUrl, origin, target, rate: plan.rate, seconds: plan.seconds });
    await sleep(1100);
    const held = generators.reduce((sum, g) => sum + (g.status?.held ?? g.info.held), 0);
    const after = await rss();
    return {
      held, opened, failed: generators.reduce((s, g) => s + g.info.failed, 0),
      rssIdle: idle, rssHeld: after, perConnection: held ? (after - idle) / held : undefined,
      sent: rtt.sent, answered: rtt.answered, rttFailed: rtt.failed,
      ...spread([...rtt.samples, ...Array(rtt.sent - rtt.answered).fill(Infinity)]),
    };
  } finally {
    for (const g of generators) await g.kill();
  }
}

const spread = (samples) => ({ p50: percentile(samples, 50), p99: percentile(samples, 99) });

async function measureOurs(plan, log) {
  const server = await Child.start("servers/reference.mjs", [0], { nodeArgs: ["--expose-gc"] });
  const stats = async () => (await (await fetch(`${server.info.url}/bench/stats`)).json()).memory.rss;
  try {
    const idle = await stats();
    return await underLoad({ cableUrl: server.info.cableUrl, origin: server.info.url, target: "Bench#row", idle, rss: stats }, plan, log);
  } finally {
    await server.kill();
  }
}

async function measureRails(root, plan, log) {
  const file = `${root}/test/rails/peer.ts`;
  if (!existsSync(file)) return { skipped: "test/rails/peer.ts missing" };
  let peer;
  try {
    const { startRailsPeer, railsAvailable } = await importTs(new URL(`file://${file}`).href);
    const available = railsAvailable();
    if (!available.ok) return { skipped: `missing ${available.missing.join(", ")}` };
    peer = await startRailsPeer();
    const idle = await rssOf(peer.pid);
    const rss = () => rssOf(peer.pid);
    return await underLoad({ cableUrl: peer.cableUrl, origin: peer.url, target: "Counter#increment", idle, rss }, plan, log);
  } catch (error) {
    log(`  rails baseline failed: ${error.message}`);
    return { skipped: `error: ${error.message.split("\n")[0]}` };
  } finally {
    await peer?.stop();
  }
}
