// Starts test/rails/gem/config.ru (a Rails 6.1 app on the unmodified StimulusReflex with the
// cable_courier gem, or without it when plain) under Debian's puma. Only the puma started here is
// signalled, by its PID; the sqlite file survives restart() like an app's database.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitUntil } from "../support/browser";
import { freePort, halt, launchPuma, railsAvailable } from "./peer";

const HERE = dirname(fileURLToPath(import.meta.url));

export interface GemStats {
  notes: string[]; // Note bodies (the clicked button's data-label), in insertion order
  users: string[]; // the connection's user of each note
  pids: number[]; // the puma process (worker) that wrote each note
  lanes: Record<string, number>; // clientId -> last (ActiveRecord store only)
}

export interface GemAppOptions {
  plain?: boolean; // the gem left out: plain StimulusReflex
  redisUrl?: string; // ActionCable's Redis adapter and the gem's Redis store
  workers?: number; // puma cluster mode; start() returns once every worker has booted
  block?: string; // GEM_APP_BLOCK: while this file exists, Counter#slow waits after its write
}

export interface GemApp {
  readonly url: string;
  readonly port: number;
  readonly dir: string; // a temp folder of this app's, removed by stop()
  stats(): Promise<GemStats>;
  output(): string; // puma's output so far, for failure messages
  restart(options?: { hard?: boolean }): Promise<void>; // hard: SIGKILL, like a crash
  down(options?: { hard?: boolean }): Promise<void>; // SIGTERM (hard: SIGKILL); up() starts it again, same port and database
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startGemApp(options: GemAppOptions = {}): Promise<GemApp> {
  const available = railsAvailable();
  if (!available.ok) throw new Error(`the gem's puma app cannot run, missing: ${available.missing.join(", ")}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "gem-app-"));
  const env = {
    ...process.env,
    GEM_APP_DB: join(dir, "app.sqlite3"),
    GEM_APP_PLAIN: options.plain ? "1" : "0",
    GEM_APP_REDIS_URL: options.redisUrl ?? "",
    GEM_APP_BLOCK: options.block ?? "",
  };
  const log = { text: "" };
  const workers = options.workers ?? 0;
  const launch = async () => {
    const mark = log.text.length;
    const proc = await launchPuma(join(HERE, "gem"), port, env, log, workers ? ["-w", String(workers)] : []);
    // The first worker answers /__stats before the others have booted: wait for puma to name each one.
    if (workers) {
      await waitUntil(async () => (log.text.slice(mark).match(/Worker \d+ \(PID: \d+\) booted/g) ?? []).length, (n) => n >= workers, `${workers} puma workers`);
    }
    return proc;
  };

  let puma: Awaited<ReturnType<typeof launch>> | undefined = await launch();
  const down = async (hard = false) => {
    if (puma) await halt(puma, hard);
    puma = undefined;
  };
  return {
    url,
    port,
    dir,
    stats: async () => (await fetch(`${url}/__stats`)).json() as Promise<GemStats>,
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
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
