// Starts test/rails/gem/config.ru (a Rails 6.1 app on the unmodified StimulusReflex with the
// cable_courier gem, or without it when plain) under Debian's puma. Only the puma started here is
// signalled, by its PID; the sqlite file survives restart() like an app's database.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, halt, launchPuma, railsAvailable } from "./peer";

const HERE = dirname(fileURLToPath(import.meta.url));

export interface GemApp {
  readonly url: string;
  readonly port: number;
  stats(): Promise<{ notes: string[]; lanes: Record<string, number> }>;
  restart(options?: { hard?: boolean }): Promise<void>; // hard: SIGKILL, like a crash
  stop(): Promise<void>;
}

export async function startGemApp(options: { plain?: boolean } = {}): Promise<GemApp> {
  const available = railsAvailable();
  if (!available.ok) throw new Error(`the gem's puma app cannot run, missing: ${available.missing.join(", ")}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "gem-app-"));
  const env = { ...process.env, GEM_APP_DB: join(dir, "app.sqlite3"), GEM_APP_PLAIN: options.plain ? "1" : "0" };
  const log = { text: "" };
  const launch = () => launchPuma(join(HERE, "gem"), port, env, log);

  let puma = await launch();
  return {
    url,
    port,
    stats: async () => (await fetch(`${url}/__stats`)).json(),
    async restart({ hard = false } = {}) {
      await halt(puma, hard);
      puma = await launch();
    },
    async stop() {
      await halt(puma, false);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
