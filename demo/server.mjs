// `npm run demo`: the reference server with the demo's reflexes and pages. PORT (default 3000) and HOST
// (default 127.0.0.1) pick the address. Open the printed URL in two browsers and press "Server offline".
import { fileURLToPath } from "node:url";
import { createServer } from "../dist/server.js";
import { createDemoApp } from "./app.mjs";
import { assetRoutes } from "./assets.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const app = createDemoApp();

const html = (res, body) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body);
const page = (layout, body, title) => (req, res) => html(res, app.renderPage(layout, body, title));
const json = (res, value) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(value));
const post = (handler) => (req, res) =>
  req.method === "POST" ? handler(req, res) : res.writeHead(405, { allow: "POST" }).end();

const server = createServer({
  static: fileURLToPath(new URL("./public", import.meta.url)),
  reflexes: app.reflexes,
  // Another browser's change reaches everyone once it is committed (the author gets it in its ack too).
  onReflex: (event) => {
    if (event.type === "committed" || event.type === "plain") server.broadcast(app.operations());
  },
  routes: {
    ...assetRoutes(root),
    "/": page("esm", "todos", "Todos"),
    "/stimulus": page("esm", "stimulus", "Stimulus counter"),
    "/iife": page("iife", "todos", "Todos"),
    "/iife/counter": page("iife", "counter", "Counter"),
    // The templates in public/ are never served raw (their <!--markers--> are filled here).
    "/esm.html": page("esm", "todos", "Todos"),
    "/iife.html": page("iife", "todos", "Todos"),
    "/todos.html": page("esm", "todos", "Todos"),
    "/counter.html": page("iife", "counter", "Counter"),
    "/stimulus.html": page("esm", "stimulus", "Stimulus counter"),
    "/demo/offline": post((req, res) => {
      const seconds = Number(new URL(req.url ?? "/", "http://x").searchParams.get("seconds") ?? 5);
      server.dropConnections(Number.isFinite(seconds) ? Math.min(Math.max(seconds, 0), 300) : 5);
      json(res, { offline: true, seconds });
    }),
    "/demo/online": post((req, res) => {
      server.acceptConnections();
      json(res, { offline: false });
    }),
    "/demo/stats": (req, res) => json(res, { ...server.stats, todos: app.state.todos, counter: app.state.counter }),
  },
});

await server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? "127.0.0.1");
console.log(`cable-courier demo listening on ${server.url}`);

const stop = () => server.close().finally(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
