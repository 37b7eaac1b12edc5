// Row 3: stimulate() → the record is durable in IndexedDB. The server is down (nothing listens on the
// cable port), so nothing is sent and only the write is measured. `courier:queued` is the signal: the
// outbox emits it after the IndexedDB transaction completed. Calls go one at a time, each awaited, and
// alternate with the baseline: one bare idb-keyval `set` of a record of the same shape, same page.
import { loadCourier, openPage } from "../lib/browser.mjs";
import { freePort } from "../lib/ports.mjs";
import { ms, percentile, ratio } from "../lib/stats.mjs";

const IDB_KEYVAL = "/node_modules/idb-keyval/dist/index.js";

export async function enqueueRow({ browser, baseUrl, quick }) {
  const n = 1000;
  const cableUrl = `ws://127.0.0.1:${await freePort()}/cable`;
  const handle = await openPage(browser, baseUrl);
  try {
    await loadCourier(handle.page, baseUrl);
    const result = await handle.page.evaluate(measure, { n, cableUrl, module: IDB_KEYVAL, warmup: quick ? 20 : 50 });
    if (result.error) throw new Error(result.error);
    if (!result.durable) throw new Error("the outbox fell back to memory during the run: the figure would not be durable writes");
    const o50 = percentile(result.ours, 50), o99 = percentile(result.ours, 99);
    const b50 = percentile(result.base, 50), b99 = percentile(result.base, 99);
    return [{
      figure: `3. stimulate → durable in IndexedDB, ${n} calls, server down (p50 / p99)`,
      ours: `${ms(o50)} / ${ms(o99)}`,
      baseline: `${ms(b50)} / ${ms(b99)} (bare idb-keyval set)`,
      ratio: ratio(o50, b50),
      // Issue 13 item 4: p50 within 1.2× of one bare set, and p99 ≤ 5 ms.
      goal: "p50 ≤ 1.2× bare set, p99 ≤ 5 ms",
      status: o50 / b50 <= 1.2 && o99 <= 5 ? "OK" : "MISSED",
      data: { n, p50: o50, p99: o99, baselineP50: b50, baselineP99: b99, pendingAfter: result.pending, durable: result.durable, mismatched: result.mismatched },
    }];
  } finally {
    await handle.close();
  }
}

// Runs in the page.
async function measure({ n, cableUrl, module, warmup }) {
  const { set, createStore } = await import(module);
  const courier = window.CableCourier.start({ url: cableUrl, maxQueue: 10 * n });
  await courier.ready;
  if (!courier.durable) return { error: "the outbox is not durable (IndexedDB fell back to memory)" };
  const button = document.createElement("button");
  document.body.append(button);
  const store = createStore("bench-baseline", "records");
  const queued = () =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), 10_000);
      button.addEventListener("courier:queued", (event) => (clearTimeout(timer), resolve(event.detail)), { once: true });
    });
  const ours = [], base = [];
  let mismatched = 0;
  for (let i = -warmup; i < n; i++) {
    const signal = queued();
    const t0 = performance.now();
    const promise = courier.stimulate("Bench#noop", { element: button, args: [i] });
    promise.catch(() => {});
    const detail = await signal;
    const t1 = performance.now();
    if (!detail) return { error: `no courier:queued within 10 s for call ${i}` };
    if (detail.id !== promise.id) mismatched++;
    // The same shape as an outbox record: the wire payload plus bookkeeping.
    const record = {
      id: crypto.randomUUID(), identity: "", clientId: "bench", seq: i + warmup + 1, target: "Bench#noop", retry: "unsafe", createdAt: Date.now(),
      payload: { target: "Bench#noop", args: [i], id: crypto.randomUUID(), url: location.href, attrs: { tag_name: "BUTTON", checked: false, selected: false, value: "" },
        dataset: { dataset: {}, datasetAll: {} }, selectors: [], formData: "", permanentAttributeName: "data-reflex-permanent", tabId: "t", version: "3.5.5",
        reflexController: "stimulus-reflex", inner_html: "", text_content: "", resolveLate: false, suppressLogging: false, xpathController: "//*[@id='x']/button[1]",
        xpathElement: "//*[@id='x']/button[1]", params: {}, courier: { v: 1, clientId: "bench", seq: i + 1 } },
    };
    const t2 = performance.now();
    await set(["r", "bench", i + warmup + 1], record, store);
    const t3 = performance.now();
    if (i >= 0) {
      ours.push(t1 - t0);
      base.push(t3 - t2);
    }
  }
  return { ours, base, mismatched, pending: courier.pending, durable: courier.durable };
}
