// The demo shows queued work as it happens (demo/server.mjs in its own process, Chromium): an add made
// while the server is away appears at once as a waiting row and becomes the server's row once committed;
// the field is cleared at the click, so what is typed next is kept; no page shows a raw template marker.
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { freshContext, waitForPending, waitForState, watchErrors, WAIT } from "../support/browser";
import { addTodo, uniqueText, useDemo, waitForTodo } from "../support/e2e-demo";

const world = useDemo();

test("an add while the server is away shows at once as waiting, then as the server's row; the next text typed is kept", async () => {
  const context = await freshContext(world.browser);
  try {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(world.demo.url + "/");
    await waitForState(page, "connected");
    await world.demo.post("/demo/offline?seconds=120");
    await page.waitForFunction(() => document.documentElement.classList.contains("cable-disconnected"), null, { timeout: WAIT });
    const text = uniqueText("Queued");
    await addTodo(page, text);
    await page.type("#new-todo", "next one");
    await waitForPending(page, 1);
    const waitingRows = () => page.$$eval("#todo-list li.waiting", (items) => items.map((li) => li.textContent ?? ""));
    expect(await waitingRows()).toEqual([`${text} waiting to be sent`]);
    expect(await page.inputValue("#new-todo")).toBe("next one");
    await world.demo.post("/demo/online");
    await waitForTodo(page, text);
    await waitForPending(page, 0);
    await page.waitForFunction(() => document.querySelectorAll("#todo-list li.waiting").length === 0, null, { timeout: WAIT });
    expect(await page.inputValue("#new-todo")).toBe("next one");
    expect(errors).toEqual([]);
  } finally {
    await world.demo.post("/demo/online");
    await context.close();
  }
});

test("no page serves a raw <!--marker-->", async () => {
  for (const path of ["/", "/stimulus", "/iife", "/iife/counter", "/esm.html", "/iife.html", "/todos.html", "/counter.html", "/stimulus.html"]) {
    const html = await (await fetch(world.demo.url + path)).text();
    expect([path, /<!--(title|body|todos|counter)-->/.test(html)]).toEqual([path, false]);
  }
});

test("no page shows a template marker of any kind ({{ }}, ${ }, <% %>, <!--x-->), served or rendered", async () => {
  const context = await freshContext(world.browser);
  try {
    const page = await context.newPage();
    for (const path of ["/", "/stimulus", "/iife", "/iife/counter"]) {
      const served = await (await fetch(world.demo.url + path)).text();
      await page.goto(world.demo.url + path);
      await waitForState(page, "connected");
      for (const html of [served, await page.content()]) {
        expect([path, html.match(/\{\{|\$\{|<%|<!--(title|body|todos|counter)-->/)?.[0]]).toEqual([path, undefined]);
      }
    }
  } finally {
    await context.close();
  }
});

/** Each direct child of the header starts on the same line, and the header is one line high. */
const headerLines = (page: Page) =>
  page.evaluate(() => {
    const header = document.querySelector("header")!;
    const tops = Array.from(header.children).map((el) => Math.round(el.getBoundingClientRect().top));
    const line = Math.max(...Array.from(header.children).map((el) => el.getBoundingClientRect().height));
    return { sameLine: Math.max(...tops) - Math.min(...tops) <= 6, oneLineHigh: header.clientHeight < line * 2 };
  });

for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`at ${viewport.width}x${viewport.height} the header is one line online and offline, and nothing below it moves`, async () => {
    const context = await freshContext(world.browser, { viewport });
    try {
      const page = await context.newPage();
      await page.goto(world.demo.url + "/");
      await waitForState(page, "connected");
      const text = uniqueText("Layout");
      await addTodo(page, text);
      await waitForTodo(page, text);
      const boxes = () =>
        page.evaluate(() =>
          ["#todo-list", "#counter", "main"].map((selector) => {
            const { x, y, width, height } = document.querySelector(selector)!.getBoundingClientRect();
            return { selector, x, y, width, height };
          }),
        );
      expect(await headerLines(page)).toEqual({ sameLine: true, oneLineHigh: true });
      const online = await boxes();
      await world.demo.post("/demo/offline?seconds=120");
      await page.waitForFunction(() => document.documentElement.classList.contains("cable-disconnected"), null, { timeout: WAIT });
      await page.waitForFunction(() => document.querySelector("[data-cable-hidden]"), null, { timeout: WAIT });
      expect(await headerLines(page)).toEqual({ sameLine: true, oneLineHigh: true });
      expect(await boxes()).toEqual(online);
    } finally {
      await world.demo.post("/demo/online");
      await context.close();
    }
  });
}

test("the counter shows clicks queued while offline beside the server's value, then settles to the server's value", async () => {
  const context = await freshContext(world.browser);
  try {
    const page = await context.newPage();
    await page.goto(world.demo.url + "/");
    await waitForState(page, "connected");
    const value = Number(await page.textContent("#counter"));
    const note = () => page.textContent(".pending-clicks");
    await world.demo.post("/demo/offline?seconds=120");
    await page.waitForFunction(() => document.documentElement.classList.contains("cable-disconnected"), null, { timeout: WAIT });
    for (let i = 0; i < 3; i++) await page.click("#counter + button");
    await waitForPending(page, 3);
    await page.waitForFunction(() => document.querySelector(".pending-clicks")?.textContent === "+3 clicks pending", null, { timeout: WAIT });
    expect(await page.textContent("#counter")).toBe(String(value));
    await world.demo.post("/demo/online");
    await waitForPending(page, 0);
    await page.waitForFunction((n) => document.querySelector("#counter")?.textContent === String(n), value + 3, { timeout: WAIT });
    await page.waitForFunction(() => document.querySelector(".pending-clicks")?.textContent === "", null, { timeout: WAIT });
    expect([await page.textContent("#counter"), await note()]).toEqual([String(value + 3), ""]);
  } finally {
    await world.demo.post("/demo/online");
    await context.close();
  }
});

test("the Stimulus page names the last reflex and its stage, from the controller's button and from data-reflex", async () => {
  const context = await freshContext(world.browser);
  try {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(world.demo.url + "/stimulus");
    await waitForState(page, "connected");
    const status = '[data-counter-target="status"]';
    for (const button of ['[data-action="counter#add"]', '[data-reflex="click->Counter#increment"]']) {
      await page.evaluate((s) => (document.querySelector(s)!.textContent = "none yet"), status);
      await page.click(button);
      await page.waitForFunction((s) => document.querySelector(s)?.textContent === "Counter#increment committed", status, { timeout: WAIT });
    }
    await world.demo.post("/demo/offline?seconds=120");
    await page.waitForFunction(() => document.documentElement.classList.contains("cable-disconnected"), null, { timeout: WAIT });
    await page.click('[data-action="counter#add"]');
    await page.waitForFunction((s) => document.querySelector(s)?.textContent?.startsWith("Counter#increment queued"), status, { timeout: WAIT });
    await world.demo.post("/demo/online");
    await page.waitForFunction((s) => document.querySelector(s)?.textContent === "Counter#increment committed", status, { timeout: WAIT });
    expect(errors).toEqual([]);
  } finally {
    await world.demo.post("/demo/online");
    await context.close();
  }
});

test("typing right after Add, while the add's own morph arrives, keeps the typed text and the caret", async () => {
  const context = await freshContext(world.browser);
  try {
    const page = await context.newPage();
    await page.goto(world.demo.url + "/");
    await waitForState(page, "connected");
    const text = uniqueText("Mine");
    await page.fill("#new-todo", text);
    await page.click(".add-button");
    await page.focus("#new-todo");
    await page.keyboard.type("typed during the morph");
    await waitForTodo(page, text);
    await waitForPending(page, 0);
    expect(
      await page.evaluate(() => {
        const input = document.querySelector<HTMLInputElement>("#new-todo")!;
        return [input.value, input.selectionStart, document.activeElement === input];
      }),
    ).toEqual(["typed during the morph", "typed during the morph".length, true]);
  } finally {
    await context.close();
  }
});
