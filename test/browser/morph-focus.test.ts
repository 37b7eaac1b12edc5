// morph() in real Chromium: a user typing in a field while server HTML lands around it keeps focus,
// value and caret (and stock morphdom on the same page does not: morphdom #134); permanent elements
// stay the same nodes. The morph code is bundled from src/ with rollup, since dist/ may not exist.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import typescript from "@rollup/plugin-typescript";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { rollup } from "rollup";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { freshContext, launchBrowser, watchErrors } from "../support/browser";

const ROOT = resolve(__dirname, "../..");
const ENTRY = "\0morph-focus-entry";

async function bundle(dir: string): Promise<string> {
  const build = await rollup({
    input: ENTRY,
    onwarn: () => {}, // type errors elsewhere in src/ (other work in progress) must not matter here
    plugins: [
      {
        name: "entry",
        resolveId: (id) => (id === ENTRY ? ENTRY : null),
        load: (id) =>
          id === ENTRY
            ? `export { morph } from ${JSON.stringify(join(ROOT, "src/dom/morph.ts"))};
               export { Operations } from ${JSON.stringify(join(ROOT, "src/dom/operations.ts"))};
               export { default as morphdom } from "morphdom";`
            : null,
      },
      nodeResolve({ browser: true, rootDir: ROOT }),
      typescript({ tsconfig: join(ROOT, "tsconfig.json"), declaration: false, outDir: undefined, rootDir: undefined, noEmit: false, noEmitOnError: false }),
    ],
  });
  const file = join(dir, "morph.js");
  await build.write({ file, format: "iife", name: "Courier" });
  await build.close();
  return readFileSync(file, "utf8");
}

const PAGE = `<!doctype html><html><head><title>morph focus</title></head><body>
<form id="app">
  <ul id="list"><li id="i1">one</li><li id="i2">two</li></ul>
  <input id="q" name="q" value="server" autocomplete="off">
  <p id="count">0</p>
</form>
<div id="media"><video id="v" data-reflex-permanent muted src="/none.webm"></video></div>
<x-clock id="clock" data-reflex-permanent>00:00</x-clock>
<p class="row">a</p><p class="row">b</p>
<script src="/morph.js"></script>
<script>customElements.define("x-clock", class extends HTMLElement {});</script>
</body></html>`;

// The server re-renders the form: a new list (keyed items added, one dropped, order changed), the
// input moved in front of it with a new server-side value attribute and class, a new count.
const SERVER_FORM = `<input id="q" name="q" value="server-v2" class="dirty" autocomplete="off">
  <ul id="list"><li id="i3">three</li><li id="i2">two!</li><li id="i4">four</li></ul>
  <p id="count">1</p>`;
// Same, but the input stays where it was: the plain case of morphdom #134.
const SERVER_FORM_IN_PLACE = `<ul id="list"><li id="i3">three</li><li id="i2">two!</li></ul>
  <input id="q" name="q" value="server-v2" class="dirty" autocomplete="off">
  <p id="count">1</p>`;

declare const Courier: {
  morph(target: Element, html: string, options?: { childrenOnly?: boolean; focusSelector?: string }): Element;
  morphdom(from: Element, to: string, options?: { childrenOnly?: boolean }): Element;
  Operations: new (doc: Document, logger: { enabled: boolean; log(): void }) => { apply(ops: unknown[]): void };
};

interface FieldState {
  focused: boolean;
  sameNode: boolean;
  value: string;
  start: number | null;
  end: number | null;
  className: string;
}

let dir: string;
let script: string;
let server: Server;
let origin: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "morph-focus-"));
  script = await bundle(dir);
  server = createServer((req, res) => {
    if (req.url === "/morph.js") res.writeHead(200, { "content-type": "text/javascript" }).end(script);
    else if (req.url === "/") res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
    else res.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => server?.close(done));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  context = await freshContext(browser);
  page = await context.newPage();
  errors = watchErrors(page);
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => typeof Courier === "object" && customElements.get("x-clock") !== undefined);
});

afterEach(async () => {
  expect(errors).toEqual([]);
  await context.close();
});

/** The user clears the field, types "hello world", then puts the caret after "hello". */
async function typeWithCaretInTheMiddle(): Promise<void> {
  await page.click("#q");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Backspace");
  await page.keyboard.type("hello world");
  await page.evaluate(() => {
    const input = document.getElementById("q") as HTMLInputElement & { stamp?: string };
    input.stamp = "typed-in";
    input.setSelectionRange(5, 5);
  });
}

function fieldState(): Promise<FieldState> {
  return page.evaluate(() => {
    const input = document.getElementById("q") as HTMLInputElement & { stamp?: string };
    return {
      focused: document.activeElement === input,
      sameNode: input.stamp === "typed-in",
      value: input.value,
      start: input.selectionStart,
      end: input.selectionEnd,
      className: input.className,
    };
  });
}

describe("morph in Chromium", () => {
  for (const [name, html] of [["the input moved by keyed matching", SERVER_FORM], ["the input in place", SERVER_FORM_IN_PLACE]]) {
    test(`keeps focus, typed value and caret while the list around it changes (${name})`, async () => {
      await typeWithCaretInTheMiddle();
      await page.evaluate((h) => Courier.morph(document.getElementById("app")!, h, { childrenOnly: true }), html);
      const after = await fieldState();
      expect(after).toEqual({ focused: true, sameNode: true, value: "hello world", start: 5, end: 5, className: "dirty" });
      const list = await page.evaluate(() => Array.from(document.querySelectorAll("#list li"), (li) => li.textContent));
      expect(list.slice(0, 2)).toEqual(["three", "two!"]);
      expect(await page.textContent("#count")).toBe("1");
      // The user keeps typing: the letters land at the caret, not at the end and not in a blurred field.
      await page.keyboard.type("XY");
      expect(await fieldState()).toMatchObject({ focused: true, value: "helloXY world", start: 7, end: 7 });
    });
  }

  test("stock morphdom on the same page loses the typed value (morphdom #134), so the test above can fail", async () => {
    await typeWithCaretInTheMiddle();
    await page.evaluate((h) => Courier.morphdom(document.getElementById("app")!, `<form id="app">${h}</form>`), SERVER_FORM_IN_PLACE);
    const after = await fieldState();
    expect(after.sameNode).toBe(true);
    expect(after.value).toBe("server-v2");
    await typeWithCaretInTheMiddle();
    await page.evaluate((h) => Courier.morphdom(document.getElementById("app")!, `<form id="app">${h}</form>`), SERVER_FORM);
    const moved = await fieldState();
    expect(moved.value === "hello world" && moved.focused && moved.start === 5).toBe(false);
  });

  test("a focused contenteditable keeps what the user typed", async () => {
    await page.evaluate(() => {
      document.getElementById("count")!.outerHTML = `<div id="ed" contenteditable="true">draft</div>`;
    });
    await page.click("#ed");
    await page.keyboard.press("End");
    await page.keyboard.type(" more");
    await page.evaluate(() =>
      Courier.morph(document.getElementById("app")!, `<ul id="list"><li>x</li></ul><input id="q"><div id="ed" contenteditable="true">server</div>`, {
        childrenOnly: true,
      }),
    );
    expect(await page.textContent("#ed")).toBe("draft more");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("ed");
    expect(await page.textContent("#list")).toBe("x");
  });

  test("permanent <video> and custom element are the same nodes after a page morph", async () => {
    await page.evaluate(() => {
      (document.getElementById("v") as HTMLVideoElement & { stamp?: string }).stamp = "video";
      (document.querySelector("x-clock") as HTMLElement & { stamp?: string }).stamp = "clock";
      document.querySelector("x-clock")!.textContent = "12:34";
    });
    const body = `<form id="app"><p id="count">9</p></form>
      <section id="media"><h2>New heading</h2><video id="v" data-reflex-permanent src="/other.webm" controls></video></section>
      <x-clock id="clock" data-reflex-permanent>00:00</x-clock>`;
    await page.evaluate((h) => Courier.morph(document.body, h, { childrenOnly: true }), body);
    const state = await page.evaluate(() => {
      const video = document.getElementById("v") as HTMLVideoElement & { stamp?: string };
      const clock = document.querySelector("x-clock") as HTMLElement & { stamp?: string };
      return {
        video: video.stamp, src: video.getAttribute("src"), controls: video.hasAttribute("controls"),
        parent: video.parentElement?.tagName, clock: clock.stamp, clockText: clock.textContent,
        count: document.getElementById("count")?.textContent, heading: document.querySelector("h2")?.textContent,
      };
    });
    expect(state).toEqual({
      video: "video", src: "/none.webm", controls: false, parent: "SECTION",
      clock: "clock", clockText: "12:34", count: "9", heading: "New heading",
    });
  });

  test("operations resolve XPath and selectAll in a real browser", async () => {
    const result = await page.evaluate(() => {
      const errors: unknown[] = [];
      document.addEventListener("courier:operation-error", (e) => errors.push((e as CustomEvent).detail.message));
      new Courier.Operations(document, { enabled: false, log() {} }).apply([
        { operation: "setAttribute", selector: "//p[@class='row'][2]", xpath: true, name: "data-hit", value: "1" },
        { operation: "addCssClass", selector: "//p[@class='row']", xpath: true, selectAll: true, name: "all" },
        { operation: "textContent", selector: "//*[@id='nope']", xpath: true, text: "x" },
      ]);
      return { errors, hits: Array.from(document.querySelectorAll("p.row"), (p) => [p.getAttribute("data-hit"), p.classList.contains("all")]) };
    });
    expect(result.hits).toEqual([[null, true], ["1", true]]);
    expect(result.errors).toEqual([expect.stringContaining("no element matches //*[@id='nope']")]);
  });
});
