// `npm run screenshots`: starts the demo (demo/server.mjs) on a free port of 127.0.0.1, drives it in
// headless Chromium and writes docs/screenshots/*.png — online, offline with queued clicks and todos,
// reconnected, and the Stimulus page. Run `npm run build` first.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = (name) => fileURLToPath(new URL(`../docs/screenshots/${name}.png`, import.meta.url));
const WAIT = 30_000;

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

async function startDemo() {
  const port = await freePort();
  const child = spawn(process.execPath, ["demo/server.mjs"], {
    cwd: root, env: { ...process.env, PORT: String(port), HOST: "127.0.0.1" }, stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => String(chunk).includes("listening") && resolve());
    child.once("exit", (code) => reject(new Error(`demo exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const post = (path) => fetch(url + path, { method: "POST" });
  return { url, post, stop: () => child.kill("SIGTERM") };
}

const state = (page, s) =>
  page.waitForFunction((v) => document.documentElement.dataset.cableState === v, s, { timeout: WAIT });
const pending = (page, n) =>
  page.waitForFunction((v) => (document.documentElement.dataset.cablePending ?? "0") === String(v), n, { timeout: WAIT });
const todo = (page, text) =>
  page.waitForFunction((t) => [...document.querySelectorAll("#todo-list .text")].some((el) => el.textContent === t), text, { timeout: WAIT });
async function add(page, text) {
  await page.fill("#new-todo", text);
  await page.click(".add-button");
}

const demo = await startDemo();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(demo.url + "/");
  await state(page, "connected");
  for (const text of ["Buy oat milk", "Water the plants", "Write the release notes"]) {
    await add(page, text);
    await todo(page, text);
  }
  await page.locator("#todo-list li", { hasText: "Water the plants" }).locator(".toggle").click();
  await page.waitForSelector("#todo-list li.done", { timeout: WAIT });
  await page.click("#counter + button");
  await page.waitForFunction(() => document.querySelector("#counter")?.textContent === "1", null, { timeout: WAIT });
  await page.screenshot({ path: out("demo-online") });

  await demo.post("/demo/offline?seconds=120");
  await state(page, "disconnected");
  await add(page, "Call the plumber");
  await add(page, "Book the train");
  for (let i = 0; i < 3; i++) await page.click("#counter + button");
  await pending(page, 5);
  await page.waitForFunction(() => document.querySelector(".pending-clicks")?.textContent === "+3 clicks pending", null, { timeout: WAIT });
  await page.screenshot({ path: out("demo-offline-queued") });

  await demo.post("/demo/online");
  await state(page, "connected");
  await pending(page, 0);
  await todo(page, "Book the train");
  await page.waitForFunction(() => document.querySelector("#counter")?.textContent === "4", null, { timeout: WAIT });
  await page.screenshot({ path: out("demo-reconnected") });

  await page.click('nav a[href="/stimulus"]');
  await page.waitForSelector('[data-controller="counter"]', { timeout: WAIT });
  await page.click('[data-action="counter#add"]');
  await page.waitForFunction(() => document.querySelector("#counter")?.textContent === "9", null, { timeout: WAIT });
  await page.waitForFunction(() => /committed/.test(document.querySelector('[data-counter-target="status"]')?.textContent ?? ""), null, { timeout: WAIT });
  await page.screenshot({ path: out("stimulus") });

  const narrow = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await narrow.goto(demo.url + "/");
  await state(narrow, "connected");
  await narrow.screenshot({ path: out("demo-phone") });
} finally {
  await browser.close();
  demo.stop();
}
