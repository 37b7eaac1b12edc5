// The demo (demo/server.mjs, as `npm run demo` runs it) in real Chromium: the offline look driven by the
// <html> hooks, typing through a broadcast morph, and two browsers converging (docs/screenshots/ come
// from `npm run screenshots`, scripts/screenshots.mjs). Effects are counted at the demo server (/demo/stats).
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { freshContext, waitForPending, waitForState, waitUntil, watchErrors, WAIT } from "../support/browser";
import { addTodo, runs, uniqueText, useDemo, waitForTodo } from "../support/e2e-demo";

const world = useDemo();

/** Every action element's offline look: hidden toggles/deletes, disabled "clear", usable "add". */
const controls = (page: Page) =>
  page.evaluate(() => {
    const all = (selector: string) => Array.from(document.querySelectorAll<HTMLButtonElement>(selector));
    const shown = (el: HTMLElement) => !el.hidden && getComputedStyle(el).display !== "none";
    return {
      toggles: all("#todo-list .toggle, #todo-list .delete").map(shown),
      clearDisabled: all(".clear").map((el) => el.disabled),
      addUsable: all(".add-button").map((el) => shown(el) && !el.disabled),
      pendingBadge: getComputedStyle(document.documentElement, "::after").content,
      badge: getComputedStyle(document.querySelector(".badge")!, "::after").content,
    };
  });

describe("e2e demo", () => {
  test("offline: hide/disable while disconnected, queue with a pending count, restore on reconnect", async () => {
    const context = await freshContext(world.browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(world.demo.url + "/");
    await waitForState(page, "connected");
    for (const text of ["Buy oat milk", "Water the plants", "Write the release notes"]) {
      await addTodo(page, text);
      await waitForTodo(page, text);
    }
    await page.locator("#todo-list li", { hasText: "Water the plants" }).locator(".toggle").click();
    await page.waitForSelector("#todo-list li.done", { timeout: WAIT });
    await page.evaluate(() => {
      window.__classes = [];
      const record = () => window.__classes!.push(document.documentElement.className);
      record();
      new MutationObserver(record).observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    });
    expect(await controls(page)).toEqual(
      expect.objectContaining({ toggles: [true, true, true, true, true, true], clearDisabled: [false], addUsable: [true], badge: '"online"' }),
    );
    const before = await world.stats();

    await world.demo.post("/demo/offline?seconds=120");
    await page.waitForFunction(() => document.documentElement.classList.contains("cable-disconnected"), null, { timeout: WAIT });
    await addTodo(page, "Call the plumber");
    await waitForPending(page, 1);
    const offline = await controls(page);
    expect(offline.toggles.every((shown) => !shown)).toBe(true);
    expect(offline).toEqual(expect.objectContaining({ clearDisabled: [true], addUsable: [true] }));
    expect(offline.badge).toBe('"offline: changes are queued"');
    expect(offline.pendingBadge).toBe('"1 pending"');
    expect(runs(await world.stats(), "Todo#add")).toBe(runs(before, "Todo#add"));

    await world.demo.post("/demo/online");
    await waitForState(page, "connected");
    await waitForTodo(page, "Call the plumber");
    await waitForPending(page, 0);
    await page.waitForFunction(() => !document.querySelector("[data-cable-hidden], [data-cable-disabled]"), null, { timeout: WAIT });
    const online = await controls(page);
    expect(online.toggles).toEqual(Array(8).fill(true));
    expect(online).toEqual(expect.objectContaining({ clearDisabled: [false], addUsable: [true], pendingBadge: "none" }));
    const after = await waitUntil(world.stats, (s) => runs(s, "Todo#add") > runs(before, "Todo#add"), "the queued add");
    expect(runs(after, "Todo#add")).toBe(runs(before, "Todo#add") + 1);
    expect(after.todos.filter((t) => t.text === "Call the plumber")).toHaveLength(1);

    const states = (await page.evaluate(() => window.__classes!))
      .map((name) => name.match(/cable-(connected|disconnected)/)?.[0])
      .filter((state, i, list) => state && state !== list[i - 1]);
    expect(states).toEqual(["cable-connected", "cable-disconnected", "cable-connected"]);
    expect(errors).toEqual([]);
    await context.close();
  });

  test("typing in the new-todo input while another browser's change morphs the list keeps value, focus and caret", async () => {
    const [typistContext, otherContext] = [await freshContext(world.browser), await freshContext(world.browser)];
    const typist = await typistContext.newPage();
    const other = await otherContext.newPage();
    const errors = [...[typist, other].map(watchErrors)];
    await Promise.all([typist.goto(world.demo.url + "/"), other.goto(world.demo.url + "/")]);
    await Promise.all([waitForState(typist, "connected"), waitForState(other, "connected")]);

    await typist.click("#new-todo");
    await typist.keyboard.type("hello world");
    await typist.keyboard.press("Home");
    for (let i = 0; i < 5; i++) await typist.keyboard.press("ArrowRight");
    const field = () =>
      typist.evaluate(() => {
        const input = document.querySelector<HTMLInputElement>("#new-todo")!;
        return {
          value: input.value, start: input.selectionStart, end: input.selectionEnd,
          focused: document.activeElement === input, placeholder: input.placeholder,
        };
      });
    const { placeholder } = await field();
    const text = uniqueText("from the other browser");
    await addTodo(other, text);
    await waitForTodo(typist, text);

    // The morph reached the focused input (its placeholder counts the open todos) but left what was typed.
    const after = await field();
    expect(after.placeholder).not.toBe(placeholder);
    expect(after).toEqual({ value: "hello world", start: 5, end: 5, focused: true, placeholder: after.placeholder });
    await typist.keyboard.type(",");
    expect(await field()).toEqual(expect.objectContaining({ value: "hello, world", start: 6, end: 6, focused: true }));
    expect(errors.flat()).toEqual([]);
    await Promise.all([typistContext.close(), otherContext.close()]);
  });

  test("two browsers: a change made in one shows in the other, each counted once at the server", async () => {
    const [a, b] = await Promise.all([freshContext(world.browser), freshContext(world.browser)]);
    const [pageA, pageB] = await Promise.all([a.newPage(), b.newPage()]);
    const errors = [pageA, pageB].map(watchErrors);
    await Promise.all([pageA.goto(world.demo.url + "/"), pageB.goto(world.demo.url + "/")]);
    await Promise.all([waitForState(pageA, "connected"), waitForState(pageB, "connected")]);
    const before = await world.stats();

    const text = uniqueText("shared");
    await addTodo(pageA, text);
    await waitForTodo(pageB, text);
    await pageB.locator("#todo-list li", { hasText: text }).locator(".toggle").click();
    await pageA.waitForFunction(
      (t) => Array.from(document.querySelectorAll("#todo-list li.done .text")).some((el) => el.textContent === t),
      text,
      { timeout: WAIT },
    );
    await pageB.click("#counter + button");
    await pageA.waitForFunction((n) => document.querySelector("#counter")?.textContent === String(n), before.counter + 1, {
      timeout: WAIT,
    });

    const after = await world.stats();
    expect(runs(after, "Todo#add") - runs(before, "Todo#add")).toBe(1);
    expect(runs(after, "Todo#toggle") - runs(before, "Todo#toggle")).toBe(1);
    expect(runs(after, "Counter#increment") - runs(before, "Counter#increment")).toBe(1);
    expect(after.todos.filter((t) => t.text === text)).toEqual([expect.objectContaining({ done: true })]);
    const list = (page: Page) =>
      page.$$eval("#todo-list li", (items) => items.map((li) => [li.querySelector(".text")?.textContent, li.className]));
    expect(await list(pageA)).toEqual(await list(pageB));
    expect(errors.flat()).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });
});
