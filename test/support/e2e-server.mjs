// The reference server of the end-to-end suite, run in its own process so a test can SIGKILL it in the
// middle of a reflex and start it again on the same port and state file:
//   node test/support/e2e-server.mjs --port 0 --state /tmp/x/state.json
// Pages come from the test process (test/support/e2e-pages.ts), so they still load while this is down.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { createServer, textContent } from "../../dist/server.js";
import { FileStore } from "./e2e-store.mjs";

const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const statePath = arg("state");
if (!statePath) throw new Error("--state FILE is required");
const eventsPath = `${statePath}.events.jsonl`;
const store = new FileStore(statePath);

// Test#block waits while the gate is closed; a restarted process starts with it open.
let gateClosed = false;
let waiters = [];
const gate = () => (gateClosed ? new Promise((resolve) => waiters.push(resolve)) : undefined);

const cookie = (req, name) => {
  const match = (req.headers.cookie ?? "").match(new RegExp(`(?:^|;\\s*)${name}=([^;]*)`));
  return match ? decodeURIComponent(match[1]) : undefined;
};
const datum = (payload, name) => payload.dataset?.dataset?.[`data-${name}`];

/** Reads what the page said (form field `n`, `data-who`), stages it as this reflex's effect. */
function record(context, started) {
  const { target, args, id, clientId, seq, payload, identity } = context;
  const form = new URLSearchParams(typeof payload.formData === "string" ? payload.formData : "");
  const n = Number(args[0] ?? form.get("n") ?? datum(payload, "n"));
  const who = String(args[1] ?? datum(payload, "who") ?? "");
  store.stage(clientId, seq, { target, n, who, id, clientId, seq, identity, pid: process.pid, started });
  return [textContent("#last", `${who}:${n}`)];
}

const json = (res, value) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(value));
const events = () =>
  existsSync(eventsPath) ? readFileSync(eventsPath, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line)) : [];

const server = createServer({
  store,
  // No cookie = anonymous (true); a falsy answer would refuse the connection.
  authenticate: (req) => cookie(req, "e2e_user") ?? true,
  // The pages come from another local server (another port): a cross-origin socket by design.
  allowedOrigins: (origin) => origin === undefined || origin.startsWith("http://127.0.0.1:"),
  reflexes: {
    "Test#record": (context) => record(context, Date.now()),
    "Test#block": async (context) => {
      const started = Date.now();
      store.attempt({ id: context.id, clientId: context.clientId, seq: context.seq, pid: process.pid });
      await gate();
      return record(context, started);
    },
  },
  // Every reflex frame the server saw, across restarts: "never sent" is checked against this log.
  onReflex: (event) => appendFileSync(eventsPath, JSON.stringify({ ...event, operations: undefined, pid: process.pid }) + "\n"),
  routes: {
    "/test/health": (req, res) => json(res, { ok: true, pid: process.pid }),
    "/test/stats": (req, res) =>
      json(res, {
        pid: process.pid,
        server: server.stats,
        effects: store.data.effects,
        attempts: store.data.attempts,
        events: events(),
        blocked: waiters.length,
      }),
    "/test/gate": (req, res) => {
      gateClosed = new URL(req.url ?? "/", "http://x").searchParams.get("closed") === "1";
      if (!gateClosed) for (const release of waiters.splice(0)) release();
      json(res, { closed: gateClosed });
    },
  },
});

await server.listen(Number(arg("port", "0")), "127.0.0.1");
console.log(`e2e-server listening on ${server.url}`);
process.on("SIGTERM", () => server.close().finally(() => process.exit(0)));
