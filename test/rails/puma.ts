// Debian's puma for the Rails tests: start `config.ru` on 127.0.0.1, wait until it answers, stop it.
// Only processes started here are ever signalled, by their PID.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";

const READY_WITHIN = 30_000;
const STOP_WITHIN = 5_000;

export function railsAvailable(): { ok: boolean; missing: string[] } {
  const missing: string[] = [];
  if (!existsSync("/usr/bin/ruby")) missing.push("/usr/bin/ruby (Debian package ruby)");
  if (spawnSync("puma", ["--version"], { stdio: "ignore" }).status !== 0) missing.push("puma (Debian package puma)");
  const cable = spawnSync("ruby", ["-e", 'require "action_cable"'], { stdio: "ignore" });
  if (cable.status !== 0) missing.push("action_cable (Debian package ruby-rails)");
  return { ok: missing.length === 0, missing };
}

/**
 * Starts `puma config.ru` in `cwd` on 127.0.0.1:port (`args` e.g. `-w 2`) and waits until /__stats
 * answers; its output goes to log.text (the last 64 kB) and, chunk by chunk, to `onOutput`.
 */
export async function launchPuma(
  cwd: string,
  port: number,
  env: NodeJS.ProcessEnv,
  log: { text: string },
  args: string[] = [],
  onOutput: (chunk: Buffer) => void = () => undefined,
): Promise<ChildProcess> {
  const proc = spawn("puma", ["-b", `tcp://127.0.0.1:${port}`, "-t", "4:4", ...args, "config.ru"], { cwd, env });
  const keep = (chunk: Buffer) => {
    log.text = (log.text + chunk.toString()).slice(-64_000);
    onOutput(chunk);
  };
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
