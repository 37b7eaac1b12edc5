// Starts test/rails/gem/config.ru (a Rails 6.1 app on the unmodified StimulusReflex with the
// cable_courier gem, or without it when plain) under Debian's puma. Only the puma started here is
// signalled, by its PID; the sqlite file survives restart() like an app's database.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitUntil } from "../support/browser";
import { freePort, halt, launchPuma, railsAvailable } from "./puma";

const HERE = dirname(fileURLToPath(import.meta.url));

export interface GemStats {
  notes: string[]; // Note bodies (the clicked button's data-label), in insertion order
  users: string[]; // the connection's user of each note
  pids: number[]; // the puma process (worker) that wrote each note
  counter: number; // notes.length: what #count shows
  log: string[]; // Log#append entries, in commit order
  runs: Record<string, number>; // every run by target ("Counter#increment"), rolled back or not
  lanes: Record<string, number>; // clientId -> last (ActiveRecord store only)
  clients: Record<string, Record<string, number>>; // user ("" = anonymous) -> clientId -> last
}

export interface GemAppOptions {
  plain?: boolean; // the gem left out: plain StimulusReflex
  redisUrl?: string; // ActionCable's Redis adapter and the gem's Redis store
  workers?: number; // puma cluster mode; start() returns once every worker has booted
  block?: string; // GEM_APP_BLOCK: while this file exists, Counter#slow waits after its write
  port?: number; // default: a free one, kept across restarts
  db?: string; // the sqlite file; default one in a temp folder removed by stop()
  dist?: string; // served at /dist; default the repository's dist/
}

export interface GemApp {
  readonly url: string;
  readonly cableUrl: string;
  readonly port: number;
  readonly pid: number; // of the current puma; changes on restart()
  stats(): Promise<GemStats>;
  reset(): Promise<void>; // empties every table
  broadcast(operations: object[], user?: string): Promise<void>; // a CableReady envelope on the user's stream
  failSaves(count: number): Promise<void>; // the next `count` lane advances raise, as on a full disk
  output(): string; // puma's output so far, for failure messages
  restart(options?: { hard?: boolean }): Promise<void>; // hard: SIGKILL, like a crash
  down(options?: { hard?: boolean }): Promise<void>; // SIGTERM (hard: SIGKILL); up() starts it again, same port and database
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startGemApp(options: GemAppOptions = {}): Promise<GemApp> {
  const available = railsAvailable();
  if (!available.ok) throw new Error(`the gem's puma app cannot run, missing: ${available.missing.join(", ")}. Install: apt-get install ruby-rails puma`);
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const ownDir = options.db ? undefined : mkdtempSync(join(tmpdir(), "gem-app-"));
  const env = {
    ...process.env,
    RAILS_ENV: "test",
    GEM_APP_DB: options.db ?? join(ownDir as string, "app.sqlite3"),
    GEM_APP_PLAIN: options.plain ? "1" : "0",
    GEM_APP_REDIS_URL: options.redisUrl ?? "",
    GEM_APP_BLOCK: options.block ?? "",
    CABLE_COURIER_DIST: options.dist ?? join(HERE, "../../dist"),
  };
  const log = { text: "" };
  const workers = options.workers ?? 0;
  const launch = async () => {
    let booted = 0;
    const count = (chunk: Buffer) => (booted += (chunk.toString().match(/Worker \d+ \(PID: \d+\) booted/g) ?? []).length);
    const proc = await launchPuma(join(HERE, "gem"), port, env, log, workers ? ["-w", String(workers)] : [], count);
    // The first worker answers /__stats before the others have booted: wait for puma to name each one.
    if (workers) await waitUntil(async () => booted, (n) => n >= workers, `${workers} puma workers`);
    return proc;
  };
  const request = async (path: string, init?: RequestInit): Promise<unknown> => {
    const response = await fetch(url + path, init);
    if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };
  const post = async (path: string, body?: unknown) => void (await request(path, { method: "POST", body: JSON.stringify(body ?? {}) }));

  let puma: ChildProcess | undefined = await launch();
  const down = async (hard = false) => {
    if (puma) await halt(puma, hard);
    puma = undefined;
  };
  return {
    url,
    cableUrl: `ws://127.0.0.1:${port}/cable`,
    port,
    get pid() {
      return puma?.pid ?? 0;
    },
    stats: () => request("/__stats") as Promise<GemStats>,
    reset: () => post("/__reset"),
    broadcast: (operations, user = "") => post(`/__broadcast?user=${encodeURIComponent(user)}`, operations),
    failSaves: (count) => post("/__faults", { failSaves: count }),
    output: () => log.text,
    async restart({ hard = false } = {}) {
      await down(hard);
      puma = await launch();
    },
    down: ({ hard = false } = {}) => down(hard),
    async up() {
      puma ??= await launch();
    },
    async stop() {
      await down();
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}
