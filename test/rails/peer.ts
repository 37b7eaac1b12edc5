// Starts the Rails ActionCable fixture (config.ru) under Debian's puma as a test peer. Only the process
// started here is ever signalled, by its PID; the state file makes restart() behave like restarting an
// app whose database survives.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const READY_WITHIN = 30_000;
const STOP_WITHIN = 5_000;

export interface Stats {
  runs: Record<string, number>; // reflex runs by target ("Counter#increment"), failed runs included
  log: unknown[]; // Log#append and Log#slow entries, in commit order
  counter: number;
  duplicates: number; // stamped reflexes answered from the stored result
  conflicts: number; // stamped reflexes whose seq another reflex id had already used
  gaps: number;
  held: number; // reflexes parked for a missing seq
  reordered: number; // reflexes a worker picked up after a later seq of the same (user, client)
  clients: Record<string, Record<string, number>>; // user ("" = anonymous) -> clientId -> last committed seq
  lanes: number; // (user, client) lanes with a reflex parked or running; idle ones are forgotten
}

export interface RailsPeerOptions {
  port?: number; // default: a free ephemeral port
  stateFile?: string; // default: a fresh temp file, removed by stop()
  dist?: string; // served at /dist (CABLE_COURIER_DIST); default the repo's dist/
  logLevel?: "debug" | "info" | "warn" | "error"; // Rails logger on stderr; default "warn"
}

export interface RailsPeer {
  readonly url: string; // http://127.0.0.1:<port>
  readonly cableUrl: string; // ws://127.0.0.1:<port>/cable
  readonly port: number;
  readonly stateFile: string;
  readonly pid: number; // of the current puma; changes on restart()
  stats(): Promise<Stats>;
  reset(): Promise<void>;
  broadcast(operations: object[]): Promise<void>; // a CableReady envelope to every subscriber
  failSaves(count: number): Promise<void>; // the next `count` store writes fail, as on a full disk
  output(): string; // puma's stdout + stderr so far, for failure messages
  restart(options?: { hard?: boolean }): Promise<void>; // hard: SIGKILL, like a crash
  stop(): Promise<void>;
}

export function railsAvailable(): { ok: boolean; missing: string[] } {
  const missing: string[] = [];
  if (!existsSync("/usr/bin/ruby")) missing.push("/usr/bin/ruby (Debian package ruby)");
  if (spawnSync("puma", ["--version"], { stdio: "ignore" }).status !== 0) missing.push("puma (Debian package puma)");
  const cable = spawnSync("ruby", ["-e", 'require "action_cable"'], { stdio: "ignore" });
  if (cable.status !== 0) missing.push("action_cable (Debian package ruby-rails)");
  return { ok: missing.length === 0, missing };
}

export async function startRailsPeer(options: RailsPeerOptions = {}): Promise<RailsPeer> {
  const port = options.port ?? (await freePort());
  const ownDir = options.stateFile ? undefined : mkdtempSync(join(tmpdir(), "rails-peer-"));
  const stateFile = options.stateFile ?? join(ownDir as string, "state.json");
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    RAILS_PEER_STATE: stateFile,
    CABLE_COURIER_DIST: options.dist ?? join(HERE, "../../dist"),
    RAILS_PEER_LOG_LEVEL: options.logLevel ?? "warn",
  };
  const log = { text: "" };
  const launch = () => launchPuma(HERE, port, env, log);
  let child = await launch();

  const request = async (path: string, init?: RequestInit): Promise<unknown> => {
    const response = await fetch(url + path, init);
    if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };

  return {
    url,
    cableUrl: `ws://127.0.0.1:${port}/cable`,
    port,
    stateFile,
    get pid() {
      return child.pid as number;
    },
    stats: () => request("/__stats") as Promise<Stats>,
    reset: async () => void (await request("/__reset", { method: "POST" })),
    broadcast: async (operations) =>
      void (await request("/__broadcast", { method: "POST", body: JSON.stringify(operations) })),
    failSaves: async (count) =>
      void (await request("/__faults", { method: "POST", body: JSON.stringify({ failSaves: count }) })),
    output: () => log.text,
    async restart({ hard = false } = {}) {
      await halt(child, hard);
      child = await launch();
    },
    async stop() {
      await halt(child, false);
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts `puma config.ru` in `cwd` on 127.0.0.1:port (`args` e.g. `-w 2`) and waits until /__stats
 * answers; its output goes to log.text.
 */
export async function launchPuma(cwd: string, port: number, env: NodeJS.ProcessEnv, log: { text: string }, args: string[] = []): Promise<ChildProcess> {
  const proc = spawn("puma", ["-b", `tcp://127.0.0.1:${port}`, "-t", "4:4", ...args, "config.ru"], { cwd, env });
  const keep = (chunk: Buffer) => (log.text = (log.text + chunk.toString()).slice(-64_000));
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  try {
    await waitReady(proc, `http://127.0.0.1:${port}`);
  } catch (error) {
    await halt(proc, false);
    throw new Error(`${(error as Error).message}\n--- puma output ---\n${log.text}`);
  }
  return proc;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// Polls /__stats until it answers; fails at once if puma exits.
export async function waitReady(proc: ChildProcess, url: string): Promise<void> {
  const deadline = Date.now() + READY_WITHIN;
  let exited: string | undefined;
  proc.once("exit", (code, signal) => (exited = `puma exited (code ${code}, signal ${signal}) before it was ready`));
  proc.once("error", (error) => (exited = `puma could not start: ${error.message}`));
  while (Date.now() < deadline) {
    if (exited) throw new Error(exited);
    try {
      if ((await fetch(`${url}/__stats`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`puma did not answer ${url}/__stats within ${READY_WITHIN} ms`);
}

// SIGTERM (or SIGKILL when hard), then SIGKILL if it has not exited within STOP_WITHIN.
export async function halt(proc: ChildProcess, hard: boolean): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
  const pid = proc.pid;
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  process.kill(pid, hard ? "SIGKILL" : "SIGTERM");
  const timer = setTimeout(() => {
    if (proc.exitCode === null && proc.signalCode === null) process.kill(pid, "SIGKILL");
  }, STOP_WITHIN);
  timer.unref();
  await exited;
  clearTimeout(timer);
}
