// The demo's state, reflexes and HTML. State lives here, in the server process; a reflex changes it and
// returns the morphs that show the change, and server.mjs broadcasts the same morphs to every browser
// once the reflex is committed, so two browsers converge on one list.
import { readFileSync } from "node:fs";
import { morph } from "../dist/server.js";

const PAGES = new URL("./public/", import.meta.url);

const escapeHtml = (value) =>
  String(value).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/** The `data-id` of the clicked element, as StimulusReflex's dataset carries it. */
const dataId = (payload) => Number(payload.dataset?.dataset?.["data-id"]);

/** The new todo's text: an explicit first argument, else the `text` field of the serialized form. */
function todoText({ args, payload }) {
  if (typeof args[0] === "string") return args[0];
  return new URLSearchParams(typeof payload.formData === "string" ? payload.formData : "").get("text") ?? "";
}

export function renderTodos(todos) {
  const open = todos.filter((todo) => !todo.done).length;
  const items = todos
    .map(
      (todo) => `<li id="todo-${todo.id}" class="${todo.done ? "done" : ""}">
      <button type="button" class="toggle" data-reflex="click->Todo#toggle" data-id="${todo.id}" data-reflex-offline="hide" aria-label="Toggle">${todo.done ? "↺" : "✓"}</button>
      <span class="text">${escapeHtml(todo.text)}</span>
      <button type="button" class="delete" data-reflex="click->Todo#remove" data-id="${todo.id}" data-reflex-offline="hide" aria-label="Delete">✕</button>
    </li>`,
    )
    .join("\n");
  return `
    <form class="add" onsubmit="return false">
      <input id="new-todo" name="text" autocomplete="off" placeholder="What needs doing? (${open} open)" value="">
      <button type="submit" class="add-button" data-reflex="click->Todo#add" data-reflex-serialize-form="true" data-reflex-offline="queue">Add</button>
    </form>
    <ul id="todo-list">${items || '<li class="empty">Nothing to do.</li>'}</ul>
    <p class="summary">${open} left of ${todos.length}
      <button type="button" class="clear" data-reflex="click->Todo#clear" data-reflex-offline="disable">Clear all</button></p>`;
}

export function createDemoApp() {
  const state = { todos: [], nextId: 1, counter: 0 };
  const find = (id) => state.todos.find((todo) => todo.id === id);

  /** The morphs that bring any page up to date; sent to the author and broadcast to everyone. */
  const operations = () => [morph("#todos", renderTodos(state.todos)), morph("#counter", String(state.counter))];

  const reflexes = {
    "Todo#add": (context) => {
      const text = todoText(context).trim().slice(0, 200);
      if (text) state.todos.push({ id: state.nextId++, text, done: false });
      return operations();
    },
    "Todo#toggle": ({ payload }) => {
      const todo = find(dataId(payload));
      if (todo) todo.done = !todo.done;
      return operations();
    },
    "Todo#remove": ({ payload }) => {
      state.todos = state.todos.filter((todo) => todo.id !== dataId(payload));
      return operations();
    },
    "Todo#clear": () => {
      state.todos = [];
      return operations();
    },
    "Counter#increment": ({ args }) => {
      state.counter += Number.isInteger(args[0]) ? args[0] : 1;
      return operations();
    },
  };

  /** A page of demo/public with its placeholders filled; read per request so edits show on reload. */
  function renderPage(layout, body, title) {
    const html = readFileSync(new URL(`${layout}.html`, PAGES), "utf8");
    const content = readFileSync(new URL(`${body}.html`, PAGES), "utf8");
    return html
      .replace("<!--title-->", () => escapeHtml(title))
      .replace("<!--body-->", () => content)
      .replace("<!--todos-->", () => renderTodos(state.todos))
      .replace("<!--counter-->", () => String(state.counter));
  }

  return { state, reflexes, operations, renderPage };
}
