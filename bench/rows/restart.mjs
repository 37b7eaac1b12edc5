// Row 1: the server restarts (killed, started again on the same port); how long from "the server
// accepts again" (the child prints READY with Date.now() once listen resolved) to "subscription
// confirmed" in the page (ours: courier:connected; stock: the subscription's `connected` callback).
// Both clients watch the same server in the same run, so they see the same outage.
import { Child } from "../lib/child.mjs";
import { oursPage, stockPage } from "../lib/pages.mjs";
import { median, ms, ratio, sleep } from "../lib/stats.mjs";

const WAIT = 30_000;

export async function restartRow({ browser, baseUrl, quick, log }) {
  const restarts = quick ? 5 : 9;
  let server = await Child.start("servers/reference.mjs", [0]);
  const { port, cableUrl } = server.info;
  const pages = [];
  try {
    const ours = await oursPage(browser, baseUrl, cableUrl);
    const stock = await stockPage(browser, baseUrl, cableUrl);
    pages.push(ours, stock);
    const first = await Promise.all([ours.marks.next("ours:connected", { timeout: WAIT }), stock.marks.next("stock:connected", { timeout: WAIT })]);
    if (first.includes(null)) throw new Error("a client never connected before the first restart");
    const samples = [];
    for (let i = 0; i < restarts; i++) {
      // A random hold puts the outage at a random point of stock's 6 s poll, as a real deploy would.
      await sleep(quick ? 200 + Math.random() * 800 : 300 + Math.random() * 2000);
      const killedAt = Date.now();
      await server.kill();
      await Promise.all([ours.marks.next("ours:disconnected", { since: killedAt, timeout: 10_000 }), stock.marks.next("stock:disconnected", { since: killedAt, timeout: 10_000 })]);
      server = await Child.start("servers/reference.mjs", [port]);
      const t0 = server.info.t;
      const [o, s] = await Promise.all([
        ours.marks.next("ours:connected", { since: killedAt, timeout: WAIT }),
        stock.marks.next("stock:connected", { since: killedAt, timeout: WAIT }),
      ]);
      const sample = { ours: o ? Math.max(0, o.t - t0) : null, stock: s ? Math.max(0, s.t - t0) : null };
      samples.push(sample);
      log(`  restart ${i + 1}/${restarts}: ours ${ms(sample.ours)}, stock ${sample.stock === null ? "timeout" : ms(sample.stock)}`);
    }
    // A timeout counts as slower than any measured time, so it can only make a side look worse.
    const oursMed = median(samples.map((s) => s.ours ?? Infinity));
    const stockMed = median(samples.map((s) => s.stock ?? Infinity));
    const timeouts = (side) => samples.filter((s) => s[side] === null).length;
    const faster = stockMed / oursMed;
    const ok = oursMed < 500 && faster >= 10;
    const note = (side) => (timeouts(side) ? ` (${timeouts(side)} of ${restarts} not in ${WAIT / 1000} s)` : "");
    return [{
      figure: `1. server back → subscription confirmed (median of ${restarts} restarts)`,
      ours: ms(oursMed) + note("ours"),
      baseline: `${ms(stockMed)}${note("stock")} (stock ActionCable)`,
      ratio: `${ratio(oursMed, stockMed)} (${Number.isFinite(faster) ? faster.toFixed(0) : `> ${(WAIT / oursMed).toFixed(0)}`}× faster)`,
      goal: "< 500 ms and ≥ 10× faster",
      status: ok ? "OK" : "MISSED",
      data: { samples, oursMedian: oursMed, stockMedian: stockMed, timesFaster: faster },
    }];
  } finally {
    for (const page of pages) await page.close();
    await server.kill();
  }
}
