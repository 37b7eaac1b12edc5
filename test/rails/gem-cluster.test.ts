// The gem across processes: puma in cluster mode (2 workers), ActionCable's Redis adapter and the gem's
// Redis store on a redis-server of the test's. Our client in Chromium reaches puma through a TCP proxy
// that cuts every connection between bursts of clicks, so each reconnect lands on whichever worker
// accepts it. Counted at the server (each note names the worker that wrote it): every click runs
// exactly once, in click order, on both workers, and the page shows the count.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { freshContext, launchBrowser, waitForPending, waitForState, waitUntil, watchErrors } from "../support/browser";
import { startGemApp, type GemApp } from "./gem-app";
import { clickLabelled, labels, settledCount } from "./gem-pages";
import { startRedis, type RedisServer } from "./redis-server";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";

const BURST = 3; // clicks between two cuts
const MIN_ROUNDS = 6;
const MAX_ROUNDS = 20; // more rounds only until both workers have run reflexes

let browser: Browser;
let redis: RedisServer;
let app: GemApp;
let proxy: TcpProxy;

beforeAll(async () => {
  [browser, redis] = await Promise.all([launchBrowser(), startRedis()]);
  app = await startGemApp({ redisUrl: redis.url, workers: 2 });
  proxy = await startTcpProxy(app.port);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await app?.stop();
  await redis?.stop();
});

test("two workers, Redis store and adapter, the socket cut between bursts: no click lost or run twice", async () => {
  const context = await freshContext(browser);
  try {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`http://127.0.0.1:${proxy.port}/?user=erin`);
    await waitForState(page, "connected");

    let clicks = 0;
    const workers = async () => new Set((await app.stats()).pids).size;
    for (let round = 0; round < MAX_ROUNDS && (round < MIN_ROUNDS || (await workers()) < 2); round++) {
      for (const label of labels("c", clicks + 1, clicks + BURST)) await clickLabelled(page, label);
      clicks += BURST;
      const accepted = proxy.accepted;
      proxy.cut(); // some clicks of the burst are in flight, some not yet sent
      await waitUntil(async () => proxy.accepted, (n) => n > accepted, "the page to reconnect");
    }
    await waitForPending(page, 0);
    const stats = await waitUntil(() => app.stats(), (s) => s.notes.length >= clicks, `${clicks} notes at the server`);
    expect(stats.notes).toEqual(labels("c", 1, clicks)); // each once, in click order
    expect(new Set(stats.pids).size).toBe(2); // the reconnects landed on both workers
    await settledCount(page, clicks);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
}, 120_000);
