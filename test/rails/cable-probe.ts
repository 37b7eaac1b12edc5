// A bare ActionCable client for protocol tests: speaks actioncable-v1-json with the `ws` package, records
// every non-ping frame, and waits on conditions over what it has recorded.
import WebSocket from "ws";

export type Frame = Record<string, unknown> & { type?: string; identifier?: string; message?: unknown };

export class CableProbe {
  readonly frames: Frame[] = [];
  #socket: WebSocket;
  #waiters = new Set<() => void>();
  #closed = false;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on("message", (raw) => {
      const frame = parse(raw.toString());
      if (frame.type === "ping") return;
      this.frames.push(frame);
      this.#notify();
    });
    socket.on("error", () => undefined); // a "close" always follows; connect() reports the first error
    socket.on("close", () => {
      this.#closed = true;
      this.#notify();
    });
  }

  /** Opens a socket and resolves once the server's welcome has arrived; `headers` e.g. a Cookie. */
  static async connect(url: string, origin: string, headers: Record<string, string> = {}): Promise<CableProbe> {
    const socket = new WebSocket(url, "actioncable-v1-json", { origin, headers });
    // Listen before the socket opens: the welcome may arrive in the same read as the upgrade.
    const probe = new CableProbe(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    await probe.waitFor((f) => f.type === "welcome", "welcome");
    return probe;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(command: object): void {
    this.#socket.send(JSON.stringify(command));
  }

  /** Resolves with the first recorded frame (from index `from`) matching `match`. */
  async waitFor(match: (frame: Frame) => boolean, what: string, timeout = 15_000, from = 0): Promise<Frame> {
    const [frame] = await this.waitForCount(match, 1, what, timeout, from);
    return frame;
  }

  /** Resolves with the recorded frames matching `match` once there are at least `count`. */
  async waitForCount(match: (frame: Frame) => boolean, count: number, what: string, timeout = 15_000, from = 0): Promise<Frame[]> {
    const found = () => this.frames.slice(from).filter(match);
    if (found().length >= count) return found().slice(0, count);
    return new Promise((resolve, reject) => {
      const check = () => {
        if (found().length >= count) finish(() => resolve(found().slice(0, count)));
        else if (this.#closed) finish(() => reject(new Error(`socket closed while waiting for ${what}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out after ${timeout} ms waiting for ${what}; have ${found().length}/${count}`))),
        timeout,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        settle();
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Resolves once the server has closed the socket. */
  async waitClosed(what: string, timeout = 15_000): Promise<void> {
    if (this.#closed) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out after ${timeout} ms waiting for ${what}`));
      }, timeout);
      const check = () => {
        if (!this.#closed) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  close(): void {
    this.#socket.close();
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

// A frame that is not a JSON object is kept as { unparsable } so a test can see it, never thrown.
function parse(text: string): Frame {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Frame) : { unparsable: text };
  } catch {
    return { unparsable: text };
  }
}
