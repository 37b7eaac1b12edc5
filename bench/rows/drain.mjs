// Row 4: 1,000 reflexes queued while the server is down, then the server starts: time from the
// subscription being confirmed (courier:connected) to the last of them committed (its promise resolved).
// Baseline: 1,000 raw WebSocket echoes of frames the same size, pipelined (send all, then await all), to
// a bare `ws` echo server in its own Node process, from the same browser.
import { loadCourier, openPage } from "../lib/browser.mjs";
import { Child } from "../lib/child.mjs";
import { freePort } from "../lib/ports.mjs";
import { median, ms, ratio } from "../lib/stats.mjs";

const N = 1000;

export async function drainRow({ browser, baseUrl, quick, log }) {
  // The echo side varies a lot from run to run (120–290 ms here), hence several trials even in quick mode.
  const trials = quick ? 3 : 7;
  const ours = [], echo = [];
  let frameBytes = 0;
  for (let i = 0; i < trials; i++) {
    ours.push(await drainOnce(browser, baseUrl));
    const e = await echoOnce(browser, baseUrl);
    echo.push(e.elapsed);
    frameBytes = e.frameBytes;
    log(`  drain ${i + 1}/${trials}: ours ${ms(ours.at(-1))}, echo ${ms(echo.at(-1))}`);
  }
  const o = median(ours), b = median(echo);
  return [{
    figure: `4. ${N} queued reflexes → all committed after reconnect${trials > 1 ? ` (median of ${trials})` : ""}`,
    ours: ms(o),
    baseline: `${ms(b)} (${N} raw ws echoes, pipelined)`,
    ratio: ratio(o, b),
    goal: "≤ 1.5× (issue 13)",
    status: o / b <= 1.5 ? "OK" : "MISSED",
    data: { n: N, ours, echo, echoFrameBytes: frameBytes },
  }];
}

async function drainOnce(browser, baseUrl) {
  const port = await freePort();
  const handle = await openPage(browser, baseUrl);
  let server;
  try {
    await loadCourier(handle.page, baseUrl);
    const queued = await handle.page.evaluate(enqueueAll, { n: N, cableUrl: `ws://127.0.0.1:${port}/cable` });
    if (queued.error) throw new Error(queued.error);
    server = await Child.start("servers/reference.mjs", [port]);
    const done = await handle.marks.next("drain:done", { timeout: 120_000 });
    if (!done) throw new Error("the queued reflexes were not all committed within 120 s");
    if (done.detail.error) throw new Error(done.detail.error);
    return done.detail.elapsed;
  } finally {
    await handle.close();
    await server?.kill();
  }
}

// Runs in the page: queue n reflexes with the server down; report when all are committed.
async function enqueueAll({ n, cableUrl }) {
  let connectedAt;
  document.addEventListener("courier:connected", () => (connectedAt ??= performance.now()));
  const courier = window.CableCourier.start({ url: cableUrl, maxQueue: 10 * n });
  await courier.ready;
  let queued = 0;
  const allQueued = new Promise((resolve) => {
    document.addEventListener("courier:queued", () => ++queued === n && resolve());
  });
  const promises = [];
  for (let i = 0; i < n; i++) promises.push(courier.stimulate("Bench#noop", { args: [i] }));
  Promise.all(promises).then(
    () => window.benchMark("drain:done", Date.now(), { elapsed: performance.now() - connectedAt }),
    (error) => window.benchMark("drain:done", Date.now(), { error: `a reflex failed: ${error.reason ?? ""} ${error.message}` }),
  );
  const timeout = new Promise((resolve) => setTimeout(() => resolve("timeout"), 60_000));
  if ((await Promise.race([allQueued, timeout])) === "timeout") return { error: `only ${queued} of ${n} queued in 60 s` };
  return { queued, pending: courier.pending };
}

async function echoOnce(browser, baseUrl) {
  const server = await Child.start("servers/echo.mjs", [0]);
  const handle = await openPage(browser, baseUrl);
  try {
    return await handle.page.evaluate(pipelined, { n: N, url: server.info.url });
  } finally {
    await handle.close();
    await server.kill();
  }
}

// Runs in the page. The frame is shaped and sized like the ActionCable `message` command of one reflex.
async function pipelined({ n, url }) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => ((socket.onopen = resolve), (socket.onerror = reject)));
  const identifier = JSON.stringify({ channel: "StimulusReflex::Channel", courier: 1, clientId: crypto.randomUUID() });
  const frame = (i) => JSON.stringify({ command: "message", identifier, data: JSON.stringify({
    target: "Bench#noop", args: [i], id: crypto.randomUUID(), url: location.href, attrs: {}, dataset: { dataset: {}, datasetAll: {} }, selectors: [],
    formData: "", permanentAttributeName: "data-reflex-permanent", tabId: crypto.randomUUID(), version: "3.5.5", reflexController: "stimulus-reflex",
    inner_html: "", text_content: "", resolveLate: false, suppressLogging: false, xpathController: "", xpathElement: "", params: {},
    courier: { v: 1, clientId: crypto.randomUUID(), seq: i + 1 } }) });
  const frames = Array.from({ length: n }, (_, i) => frame(i));
  let received = 0;
  const all = new Promise((resolve) => (socket.onmessage = () => ++received === n && resolve()));
  const t0 = performance.now();
  for (const f of frames) socket.send(f);
  await all;
  const elapsed = performance.now() - t0;
  socket.close();
  return { elapsed, frameBytes: frames[0].length };
}
