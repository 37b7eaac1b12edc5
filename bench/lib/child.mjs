// Server processes under test run as children so they can be killed, restarted on the same port and
// frozen (SIGSTOP) like a real deploy or a hung host. A child prints "READY <json>" once it accepts.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const HERE = fileURLToPath(new URL("..", import.meta.url));

export class Child {
  /** Starts `node bench/<script>` with `args`; resolves once the child printed READY. */
  static async start(script, args = [], { timeout = 20_000, env = {}, nodeArgs = [] } = {}) {
    const child = new Child(script, args, env, nodeArgs);
    await child.ready(timeout);
    return child;
  }

  constructor(script, args, env, nodeArgs) {
    // bash raises the soft file-descriptor limit to the hard one: the connection row holds thousands of sockets.
    const cmd = `ulimit -n $(ulimit -Hn) 2>/dev/null; exec node ${nodeArgs.join(" ")} ${HERE}${script} "$@"`;
    this.proc = spawn("bash", ["-c", cmd, "bench", ...args.map(String)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    this.exited = new Promise((resolve) => this.proc.once("exit", (code, signal) => resolve({ code, signal })));
    this.stderr = "";
    this.proc.stderr.on("data", (chunk) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.lines = createInterface({ input: this.proc.stdout });
    // Load generators report progress as "STATUS <json>"; the latest one is kept.
    this.lines.on("line", (line) => {
      if (line.startsWith("STATUS ")) this.status = JSON.parse(line.slice(7));
    });
  }

  get pid() {
    return this.proc.pid;
  }

  ready(timeout) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`${this.pid}: no READY in ${timeout} ms\n${this.stderr}`)), timeout);
      const onLine = (line) => {
        if (!line.startsWith("READY ")) return;
        cleanup();
        this.info = JSON.parse(line.slice(6));
        resolve(this.info);
      };
      const onExit = () => fail(new Error(`server child exited before READY\n${this.stderr}`));
      const fail = (error) => {
        cleanup();
        this.kill();
        reject(error);
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.lines.off("line", onLine);
        this.proc.off("exit", onExit);
      };
      this.lines.on("line", onLine);
      this.proc.once("exit", onExit);
    });
  }

  signal(name) {
    try {
      process.kill(this.pid, name);
    } catch {
      // Already gone: nothing to signal.
    }
  }

  /** SIGKILL, then wait for the exit so the port is free. */
  async kill() {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.signal("SIGCONT");
    this.signal("SIGKILL");
    await this.exited;
  }
}
