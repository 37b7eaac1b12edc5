// Row 2: the server process freezes (SIGSTOP: the kernel keeps its sockets open, nothing answers), as a
// hung host or a half-open connection does. How long until the page notices? Ours: courier:disconnected;
// stock: the subscription's `disconnected` callback, bounded at 40 s.
import { Child } from "../lib/child.mjs";
import { oursPage, stockPage } from "../lib/pages.mjs";
import { median, ms, ratio, sleep } from "../lib/stats.mjs";

const BOUND = 40_000;

export async function freezeRow({ browser, baseUrl, quick, log }) {
  const trials = quick ? 1 : 3;
  const samples = [];
  for (let i = 0; i < trials; i++) {
    const server = await Child.start("servers/reference.mjs", [0]);
    const pages = [];
    try {
      const ours = await oursPage(browser, baseUrl, server.info.cableUrl);
      const stock = await stockPage(browser, baseUrl, server.info.cableUrl);
      pages.push(ours, stock);
      const up = await Promise.all([ours.marks.next("ours:connected"), stock.marks.next("stock:connected")]);
      if (up.includes(null)) throw new Error("a client never connected");
      // A random hold puts the freeze at a random point between two pings (every 3 s).
      await sleep(500 + Math.random() * 3000);
      server.signal("SIGSTOP");
      const frozenAt = Date.now();
      const [o, s] = await Promise.all([
        ours.marks.next("ours:disconnected", { since: frozenAt, timeout: BOUND }),
        stock.marks.next("stock:disconnected", { since: frozenAt, timeout: BOUND }),
      ]);
      const sample = { ours: o ? o.t - frozenAt : null, stock: s ? s.t - frozenAt : null };
      samples.push(sample);
      log(`  freeze ${i + 1}/${trials}: ours ${sample.ours === null ? "not in 40 s" : ms(sample.ours)}, stock ${sample.stock === null ? "not in 40 s" : ms(sample.stock)}`);
    } finally {
      server.signal("SIGCONT");
      for (const page of pages) await page.close();
      await server.kill();
    }
  }
  const oursMed = median(samples.map((s) => s.ours ?? Infinity));
  const stockMed = median(samples.map((s) => s.stock ?? Infinity));
  const show = (v) => (Number.isFinite(v) ? ms(v) : `not in ${BOUND / 1000} s`);
  return [{
    figure: `2. frozen server → disconnect noticed${trials > 1 ? ` (median of ${trials})` : ""}`,
    ours: show(oursMed),
    baseline: `${show(stockMed)} (stock ActionCable)`,
    ratio: Number.isFinite(stockMed) ? ratio(oursMed, stockMed) : Number.isFinite(oursMed) ? `< ${ratio(oursMed, BOUND)}` : "n/a",
    goal: "≤ 7 s",
    status: oursMed <= 7000 ? "OK" : "MISSED",
    data: { samples, oursMedian: oursMed, stockMedian: stockMed, bound: BOUND },
  }];
}
