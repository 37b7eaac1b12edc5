// Servers of the end-to-end suite run as child processes, so a test can SIGKILL one mid-reflex and start
// it again on the same port (the pages keep their cable URL) and the same state file.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitUntil } from "./browser";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** GET a JSON endpoint of the server. */
  get<T>(path: string): Promise<T>;
  /** POST to an endpoint of the server; resolves with its JSON answer. */
  post<T>(path: string): Promise<T>;
  /** Sends `signal` to the process (by its PID) and resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the same command again on the same port and waits until it answers. */
  restart(): Promise<void>;
  /** Stops the process if it runs (SIGTERM, then SIGKILL) and removes its temp folder. */
  stop(): Promise<void>;
  /** Everything the process printed, for failure messages. */
  output(): string;
}

interface Launch {
  args: (port: number) => string[];
  env?: (port: number) => Record<string, string>;
  readyPath: string;
  cleanup?: () => void;
}

const URL_LINE = /listening on (http:\/\/127\.0\.0\.1:(\d+))/;

function spawnAndWait(launch: Launch, port: number, log: string[]): Promise<{ child: ChildProcess; url: string; port: number }> {
  const child = spawn(process.execPath, launch.args(port), {
    cwd: ROOT,
    env: { ...process.env, ...launch.env?.(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolvePromise, reject) => {
    let buffer = "";
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = buffer.match(URL_LINE);
      if (match) {
        child.stdout?.off("data", onData);
        resolvePromise({ child, url: match[1], port: Number(match[2]) });
      }
    };
    child.stdout?.on("data", onData);
    child.stdout?.on("data", (chunk: Buffer) => log.push(chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => log.push(chunk.toString()));
    child.once("exit", (code, signal) => reject(new Error(`server exited (${code ?? signal}) before listening:\n${log.join("")}`)));
  });
}

async function startProcess(launch: Launch): Promise<ServerProcess> {
  const log: string[] = [];
  let { child, url, port } = await spawnAndWait(launch, 0, log);
  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once("exit", () => r()));

  const request = async <T>(path: string, method: string): Promise<T> => {
    const response = await fetch(url + path, { method });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  const ready = () =>
    waitUntil(
      () => request(launch.readyPath, "GET").then(() => true, () => false),
      Boolean,
      `${url}${launch.readyPath} to answer`,
    );
  try {
    await ready();
  } catch (error) {
    if (child.pid) process.kill(child.pid, "SIGKILL");
    launch.cleanup?.();
    throw new Error(`${(error as Error).message}\n${log.join("")}`);
  }

  const server: ServerProcess = {
    get url() { return url; },
    get port() { return port; },
    get pid() { return child.pid; },
    get: (path) => request(path, "GET"),
    post: (path) => request(path, "POST"),
    async kill(signal = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(child.pid, signal);
      await exited(child);
    },
    async restart() {
      await server.kill("SIGKILL");
      ({ child, url, port } = await spawnAndWait(launch, port, log));
      await ready();
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        process.kill(child.pid, "SIGTERM");
        const timer = setTimeout(() => child.pid && child.exitCode === null && process.kill(child.pid, "SIGKILL"), 5000);
        await exited(child);
        clearTimeout(timer);
      }
      launch.cleanup?.();
    },
    output: () => log.join(""),
  };
  return server;
}

export interface RefServer extends ServerProcess {
  readonly stateFile: string;
  /** The server's counts and the effects committed so far (kept across restarts in the state file). */
  stats(): Promise<RefStats>;
}

export interface Effect {
  target: string;
  n: number;
  who: string;
  id: string;
  clientId: string | undefined;
  seq: number | undefined;
  identity: unknown;
  pid: number;
}

export interface RefStats {
  pid: number;
  server: { connectionsOpened: number; connectionsClosed: number; handlerRuns: Record<string, number>; committed: number; duplicates: number; gaps: number };
  effects: Effect[];
  attempts: Array<{ id: string; clientId: string; seq: number; pid: number }>;
  events: Array<{ type: string; id?: string; target?: string; clientId?: string; seq?: number; pid: number }>;
  blocked: number;
}

/** test/support/e2e-server.mjs with a file-backed store in a fresh temp folder. */
export async function startRefServer(): Promise<RefServer> {
  const dir = mkdtempSync(join(tmpdir(), "cable-courier-e2e-"));
  const stateFile = join(dir, "state.json");
  const base = await startProcess({
    args: (port) => ["test/support/e2e-server.mjs", "--port", String(port), "--state", stateFile],
    readyPath: "/test/health",
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  });
  return Object.assign(base, { stateFile, stats: () => base.get<RefStats>("/test/stats") });
}

/** The demo exactly as `npm run demo` runs it (demo/server.mjs), on an ephemeral port. */
export function startDemoServer(): Promise<ServerProcess> {
  return startProcess({
    args: () => ["demo/server.mjs"],
    env: (port) => ({ PORT: String(port), HOST: "127.0.0.1" }),
    readyPath: "/demo/stats",
  });
}
