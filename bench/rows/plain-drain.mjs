// Row 9 (issue 13 item 3): 100 reflexes queued while a plain StimulusReflex server (the reference server
// with `extension: false`) is down, then it starts: time from each client's own "connected" to the last
// answer, and whether the server ran them in click order. Ours keeps the one-at-a-time rule against a
// plain server (plainWindow 1); the baseline is the real StimulusReflex 3.5.5 client's own queue
// (it sends every queued reflex at once on connect), bundled here with its Stimulus and ActionCable.
import { mkdir, writeFile } from "node:fs/promises";
import { rollup } from "rollup";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import commonjs from "@rollup/plugin-commonjs";
import { loadCourier, openPage } from "../lib/browser.mjs";
import { Child } from "../lib/child.mjs";
import { freePort } from "../lib/ports.mjs";
import { median, ms, ratio } from "../lib/stats.mjs";

const N = 100;

// The page of a StimulusReflex 3.5 app: Stimulus, StimulusReflex on one ActionCable consumer.
const SR_APP = `
import { Application } from "@hotwired/stimulus";
import StimulusReflex from "stimulus_reflex";
import { createConsumer } from "@rails/actioncable";
window.srStart = (url) => {
  const application = Application.start();
  StimulusReflex.initialize(application, { consumer: createConsumer(url) });
  return application;
};
`;

async function bundleSrApp(root) {
  const dir = `${root}/bench/results/.build`;
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}/sr-app-entry.mjs`, SR_APP);
  const bundle = await rollup({
    input: `${dir}/sr-app-entry.mjs`,
    plugins: [nodeResolve({ browser: true, rootDir: root, modulePaths: [`${root}/node_modules`] }), commonjs()],
    onwarn: () => {},
  });
  const { output } = await bundle.generate({ format: "iife", name: "SrApp" });
  await bundle.close();
  await writeFile(`${dir}/sr-app.js`, output[0].code);
  return "bench/results/.build/sr-app.js";
}

export async function plainDrainRow({ root, browser, baseUrl, quick, log }) {
  const trials = quick ? 3 : 5;
  const srScript = await bundleSrApp(root);
  const ours = [], stock = [], inOrder = { ours: true, stock: true }, counts = { ours: [], stock: [] };
  for (let i = 0; i < trials; i++) {
    const o = await drainOnce(browser, baseUrl, (page, url) => ourSide(page, baseUrl, url));
    const s = await drainOnce(browser, baseUrl, (page, url) => stockSide(page, baseUrl, srScript, url));
    for (const [side, r, list] of [["ours", o, ours], ["stock", s, stock]]) {
      list.push(r.elapsed);
      counts[side].push(r.order.length);
      if (!isClickOrder(r.order)) inOrder[side] = false;
    }
    log(`  plain drain ${i + 1}/${trials}: ours ${ms(o.elapsed)} (${o.order.length} runs, ${isClickOrder(o.order) ? "in order" : "OUT OF ORDER"}), StimulusReflex ${ms(s.elapsed)} (${s.order.length} runs, ${isClickOrder(s.order) ? "in order" : "OUT OF ORDER"})`);
  }
  const o = median(ours), b = median(stock);
  const word = (ok) => (ok ? "click order" : "NOT click order");
  return [{
    figure: `9. ${N} reflexes queued, plain server down → all answered${trials > 1 ? ` (median of ${trials})` : ""}`,
    ours: `${ms(o)}, ${word(inOrder.ours)}`,
    baseline: `${ms(b)}, ${word(inOrder.stock)} (StimulusReflex 3.5.5's own queue)`,
    ratio: ratio(o, b),
    goal: "all answered once, in click order",
    status: inOrder.ours && counts.ours.every((c) => c === N) ? "OK" : "MISSED",
    data: { n: N, ours, stock, inOrder, counts },
  }];
}

/** Each reflex ran once and in the order it was clicked. */
const isClickOrder = (order) => order.length === N && order.every((arg, i) => arg === i);

async function drainOnce(browser, baseUrl, side) {
  const port = await freePort();
  const handle = await openPage(browser, baseUrl);
  let server;
  try {
    const queued = await side(handle.page, `ws://127.0.0.1:${port}/cable`);
    if (queued?.error) throw new Error(queued.error);
    server = await Child.start("servers/reference.mjs", [port], { env: { BENCH_PLAIN: "1" } });
    const done = await handle.marks.next("plain:done", { timeout: 120_000 });
    if (!done) throw new Error("the queued reflexes were not all answered within 120 s");
    if (done.detail.error) throw new Error(done.detail.error);
    const order = await (await fetch(`${server.info.url}/bench/order`)).json();
    return { elapsed: done.detail.elapsed, order };
  } finally {
    await handle.close();
    await server?.kill();
  }
}

async function ourSide(page, baseUrl, cableUrl) {
  await loadCourier(page, baseUrl);
  return page.evaluate(async ({ n, cableUrl }) => {
    let connectedAt;
    document.addEventListener("courier:connected", () => (connectedAt ??= performance.now()));
    const courier = window.CableCourier.start({ url: cableUrl, maxQueue: 10 * n });
    await courier.ready;
    const promises = [];
    for (let i = 0; i < n; i++) promises.push(courier.stimulate("Bench#order", { args: [i] }));
    Promise.all(promises).then(
      () => window.benchMark("plain:done", Date.now(), { elapsed: performance.now() - connectedAt }),
      (error) => window.benchMark("plain:done", Date.now(), { error: `a reflex failed: ${error.reason ?? ""} ${error.message}` }),
    );
    return {};
  }, { n: N, cableUrl });
}

async function stockSide(page, baseUrl, srScript, cableUrl) {
  await page.addScriptTag({ url: `${baseUrl}/${srScript}` });
  return page.evaluate(async ({ n, cableUrl }) => {
    document.body.innerHTML = `<button id="b" data-controller="stimulus-reflex" data-reflex="click->Bench#order">go</button>`;
    let connectedAt;
    document.addEventListener("stimulus-reflex:connected", () => (connectedAt ??= performance.now()));
    const application = window.srStart(cableUrl);
    const button = document.getElementById("b");
    let controller;
    for (let i = 0; i < 500 && !controller; i++) {
      controller = application.getControllerForElementAndIdentifier(button, "stimulus-reflex");
      if (!controller) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if (!controller) return { error: "StimulusReflex's controller never connected" };
    const promises = [];
    for (let i = 0; i < n; i++) promises.push(controller.stimulate("Bench#order", button, i));
    Promise.all(promises).then(
      () => window.benchMark("plain:done", Date.now(), { elapsed: performance.now() - (connectedAt ?? performance.now()) }),
      (error) => window.benchMark("plain:done", Date.now(), { error: `a StimulusReflex reflex failed: ${String(error?.error ?? error)}` }),
    );
    return {};
  }, { n: N, cableUrl });
}
