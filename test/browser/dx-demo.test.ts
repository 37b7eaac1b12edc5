// The demo shows queued work as it happens (demo/server.mjs in its own process, Chromium): an add made
// while the server is away appears at once as a waiting row and becomes the server's row once committed;
// the field is cleared at the click, so what is typed next is kept; no page shows a raw template marker.
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
