// A private redis-server for a test: 127.0.0.1, a free port, no persistence, `noeviction` (what the gem's
// Redis store requires), stopped by its own PID. A missing redis-server fails the test, never skips it.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitUntil } from "../support/browser";
import { freePort, halt } from "./puma";

export interface RedisServer {
  readonly url: string;
  stop(): Promise<void>;
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

export async function startRedis(): Promise<RedisServer> {
  if (spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status !== 0) {
    throw new Error("redis-server not found: install Debian's redis-server package (scripts/ensure-system.sh does)");
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "gem-redis-"));
  const args = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction", "--dir", dir];
  const proc = spawn("redis-server", args, { stdio: "ignore" });
  await waitUntil(() => listening(port), Boolean, `redis-server on 127.0.0.1:${port}`);
  return {
    url: `redis://127.0.0.1:${port}/0`,
    async stop() {
      await halt(proc, false);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
