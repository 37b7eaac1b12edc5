// Row 8: what the cable_courier gem adds to a reflex's round trip in Rails. The same app
// (test/rails/gem/config.ru: Rails 6.1, the unmodified StimulusReflex 3.5.5, CounterReflex#increment
// writing one row to sqlite) runs twice under puma in the same run: with the gem (a stamped reflex, timed
// from send to its `committed` ack, subscribed as our client is, with batched acks) and without it (plain StimulusReflex: an unstamped reflex, timed to
// the CableReady broadcast carrying its reflexId). One reflex in flight at a time, so the figure is
// latency, not queueing; the two sides alternate in blocks so both see the same noise.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { payload } from "../lib/rtt.mjs";
import { importTs } from "../lib/ts-import.mjs";
import { ms, percentile } from "../lib/stats.mjs";

const GOAL_MS = 1; // the gem adds at most this at p50
const BLOCK = 25; // round trips per side before switching
const ANSWER_WITHIN = 10_000;

export async function gemRow({ root, quick, log }) {
  const file = `${root}/test/rails/gem-app.ts`;
  if (!existsSync(file)) throw new Error("test/rails/gem-app.ts missing");
  const { startGemApp } = await importTs(new URL(`file://${file}`).href);
  const rounds = quick ? 200 : 1000; // per side, after the warm-up
  const apps = [];
  const clients = [];
  try {
    apps.push(await startGemApp(), await startGemApp({ plain: true }));
    const [gem, plain] = await Promise.all([connect(apps[0], true), connect(apps[1], false)]);
    clients.push(gem, plain);
    for (let i = 0; i < BLOCK * 2; i++) await gem.roundTrip(), await plain.roundTrip(); // warm-up: JIT, caches, sqlite pages
    const samples = { gem: [], plain: [] };
    while (samples.gem.length < rounds) {
      for (let i = 0; i < BLOCK; i++) samples.gem.push(await gem.roundTrip());
      for (let i = 0; i < BLOCK; i++) samples.plain.push(await plain.roundTrip());
    }
    const [g50, g99, p50, p99] = [percentile(samples.gem, 50), percentile(samples.gem, 99), percentile(samples.plain, 50), percentile(samples.plain, 99)];
    const added = g50 - p50;
    log(`  gem p50 ${ms(g50)} p99 ${ms(g99)}; plain StimulusReflex p50 ${ms(p50)} p99 ${ms(p99)} (${rounds} each)`);
    return [
      {
        figure: "8. gem reflex round trip p50 / p99",
        ours: `${ms(g50)} / ${ms(g99)}`,
        baseline: `${ms(p50)} / ${ms(p99)} (plain StimulusReflex)`,
        ratio: `+${ms(added)} at p50`,
        goal: `≤ +${GOAL_MS} ms at p50`,
        status: added <= GOAL_MS ? "OK" : "MISSED",
        data: { rounds, block: BLOCK, samples },
      },
    ];
  } finally {
    for (const client of clients) client.close();
    for (const app of apps) await app.stop();
  }
}

// One ActionCable connection and subscription to the app; roundTrip() sends one reflex and resolves
// with the ms until its answer (stamped: `committed`; plain: the broadcast with its reflexId).
async function connect(app, stamped) {
  const clientId = randomUUID();
  // The stamped side subscribes as our client does (courierAcks: "batch", PROTOCOL.md §3), so the gem
  // answers a reflex in one message; `BENCH_GEM_ACKS=single` measures one message per ack instead.
  const batch = process.env.BENCH_GEM_ACKS !== "single";
  const params = { channel: "StimulusReflex::Channel", courier: 1, clientId, ...(batch ? { courierAcks: "batch" } : {}) };
  const identifier = JSON.stringify(stamped ? params : { channel: "StimulusReflex::Channel" });
  const socket = new WebSocket(`ws://127.0.0.1:${app.port}/cable`, ["actioncable-v1-json"], { origin: app.url, perMessageDeflate: false });
  let waiting; // { id, resolve }
  let seq = 0;
  const confirmed = new Promise((resolve, reject) => {
    socket.on("error", reject);
    socket.on("message", (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.type === "welcome") socket.send(JSON.stringify({ command: "subscribe", identifier }));
      else if (frame.type === "confirm_subscription") resolve();
      if (!waiting || !frame.message) return;
      const at = performance.now();
      // A batch's entries are acks without `v`; a `received` run carries no operations, so it never matches.
      const courier = frame.message.courier?.batch?.find((entry) => entry.id === waiting.id && entry.ack !== "received") ?? frame.message.courier;
      const operations = stamped ? (courier?.id === waiting.id ? courier.operations : undefined) : frame.message.cableReady && frame.message.operations;
      const mine = operations?.filter((op) => op.reflexId === waiting.id) ?? [];
      if (stamped && courier?.id === waiting.id && courier.ack === "failed") waiting.fail(new Error(`the reflex failed: ${courier.error}`));
      else if (mine.some((op) => op.name === "stimulus-reflex:morph-error")) waiting.fail(new Error(`the reflex raised: ${JSON.stringify(mine).slice(0, 300)}`));
      else if (mine.some((op) => op.selector === "#count")) waiting.resolve(at);
    });
  });
  await confirmed;
  return {
    async roundTrip() {
      const { courier, ...unstamped } = payload("CounterReflex#increment", seq, clientId, ++seq);
      const data = { ...unstamped, args: [], dataset: { dataset: { "data-label": "bench" }, datasetAll: {} }, ...(stamped ? { courier } : {}) };
      const answer = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to a ${stamped ? "stamped" : "plain"} reflex in ${ANSWER_WITHIN} ms`)), ANSWER_WITHIN);
        waiting = { id: data.id, resolve: (t) => (clearTimeout(timer), resolve(t)), fail: (e) => (clearTimeout(timer), reject(e)) };
      });
      const sentAt = performance.now();
      socket.send(JSON.stringify({ command: "message", identifier, data: JSON.stringify(data) }));
      const at = await answer;
      waiting = undefined;
      return at - sentAt;
    },
    close: () => socket.terminate(),
  };
}
