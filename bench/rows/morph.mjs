// Row 5: a morph of a 1,000- and a 10,000-row list with 10% of the rows changed. Ours goes through the
// built IIFE and the courier's operations path (a CableReady `morph` operation, as the server sends it);
// the baseline is raw morphdom (node_modules/morphdom) with the same callbacks our morph passes it
// (node key = id, skip permanent and equal elements). Runs alternate; each starts from the same DOM.
import { loadCourier, openPage } from "../lib/browser.mjs";
import { median, ms, ratio } from "../lib/stats.mjs";

const WARMUP_RUNS = 5;
const MORPHDOM = "/node_modules/morphdom/dist/morphdom-esm.js";

export async function morphRow({ browser, baseUrl, quick }) {
  const runs = quick ? 15 : 25;
  const handle = await openPage(browser, baseUrl);
  try {
    await loadCourier(handle.page, baseUrl);
    const rows = [];
    for (const size of [1000, 10_000]) {
      const result = await handle.page.evaluate(measure, { size, runs, warmup: WARMUP_RUNS, module: MORPHDOM });
      if (result.error) throw new Error(result.error);
      const o = median(result.ours), b = median(result.base);
      const r = o / b;
      rows.push({
        figure: `5. morph ${size.toLocaleString("en")} rows, 10% changed (median of ${runs})`,
        ours: ms(o),
        baseline: `${ms(b)} (raw morphdom, same callbacks)`,
        ratio: ratio(o, b),
        goal: "≤ 1.10×",
        status: r <= 1.1 ? "OK" : "MISSED",
        data: { size, runs, ours: result.ours, baseline: result.base, ratio: r },
      });
    }
    return rows;
  } finally {
    await handle.close();
  }
}

// Runs in the page.
async function measure({ size, runs, warmup: WARMUP, module }) {
  const { default: morphdom } = await import(module);
  // A courier that never connects: only its operations path is used.
  const courier = window.courier ?? (window.courier = new window.CableCourier.Courier({ storage: "memory", url: "ws://127.0.0.1:9/cable" }));
  if (typeof courier.applyOperations !== "function") return { error: "the built courier has no applyOperations()" };
  const row = (i, v) =>
    `<li id="row-${i}" class="row"><span class="label">Row ${i}</span> <span class="value">${v}</span> ` +
    `<button type="button" data-reflex="click->Bench#row" data-id="${i}">edit</button></li>`;
  const base = Array.from({ length: size }, (_, i) => row(i, i)).join("");
  const changed = (run) => Array.from({ length: size }, (_, i) => row(i, i % 10 === run % 10 ? `${i}-${run}` : i)).join("");
  document.body.innerHTML = `<ul id="list"></ul>`;
  const list = document.getElementById("list");
  const PERMANENT = "data-reflex-permanent";
  const MUTABLE = { INPUT: true, TEXTAREA: true, OPTION: true };
  const callbacks = {
    childrenOnly: true,
    getNodeKey: (node) => (node.nodeType === 1 ? node.id || undefined : undefined),
    onBeforeElUpdated(from, to) {
      if (from.hasAttribute(PERMANENT)) return false;
      if (MUTABLE[from.nodeName] !== true && from.isEqualNode(to)) return false;
      return true;
    },
  };
  const ours = () => (html) => courier.applyOperations([{ operation: "morph", selector: "#list", html, childrenOnly: true, permanentAttributeName: PERMANENT }]);
  const raw = () => (html) => morphdom(list, `<ul id="list">${html}</ul>`, callbacks);
  const time = (run, make) => {
    list.innerHTML = base;
    const html = changed(run);
    const apply = make();
    const t0 = performance.now();
    apply(html);
    const elapsed = performance.now() - t0;
    if (list.children.length !== size || !list.children[run % 10].textContent.includes(`${run % 10}-${run}`)) throw new Error("the morph did not land");
    return elapsed;
  };
  const result = { ours: [], base: [] };
  try {
    for (let run = -WARMUP; run < runs; run++) {
      // Alternate which goes first, so drift (GC, caches) does not favour one side.
      const order = run % 2 === 0 ? ["ours", "base"] : ["base", "ours"];
      for (const side of order) {
        const elapsed = time(run + WARMUP, side === "ours" ? ours : raw);
        if (run >= 0) result[side].push(elapsed);
      }
    }
  } catch (error) {
    return { error: String(error) };
  }
  return result;
}
