// Test doubles for the outbox's browser dependencies (happy-dom has no navigator.locks, and Node's
// BroadcastChannel delivers on its own schedule).

type Callback = (lock: { name: string; mode: "exclusive" } | null) => unknown;
interface RequestOptions {
  ifAvailable?: boolean;
  signal?: AbortSignal;
}
interface Waiter {
  grant(): void;
  signal?: AbortSignal;
}

const aborted = () => new DOMException("the lock request was aborted", "AbortError");

/**
 * A Web Locks manager with the semantics the outbox relies on: exclusive locks, held until the
 * callback's promise settles; `ifAvailable` gets null instead of waiting; other requests queue in
 * order, and an aborted `signal` takes a queued request out with an AbortError. Share one between
 * Outbox instances to play several tabs of one browser.
 */
export class LockManagerDouble {
  private readonly held = new Set<string>();
  private readonly waiting = new Map<string, Waiter[]>();

  request(name: string, options: RequestOptions | Callback, callback?: Callback): Promise<unknown> {
    const fn = (typeof options === "function" ? options : callback) as Callback;
    const { ifAvailable = false, signal } = typeof options === "object" ? options : {};
    if (signal?.aborted) return Promise.reject(aborted());
    if (this.held.has(name) && ifAvailable) return Promise.resolve().then(() => fn(null));
    return this.acquire(name, signal).then(() => {
      const result = Promise.resolve().then(() => fn({ name, mode: "exclusive" }));
      // Held until the callback's result settles, whichever way.
      result.then(
        () => this.free(name),
        () => this.free(name),
      );
      return result;
    });
  }

  isHeld(name: string): boolean {
    return this.held.has(name);
  }

  /** Requests queued behind the holder of `name`. */
  queued(name: string): number {
    return this.waiting.get(name)?.length ?? 0;
  }

  /** Plays another live tab holding `name`; call the returned function to close that tab. */
  hold(name: string): () => void {
    let release: (() => void) | undefined;
    let closed = false;
    void this.request(name, () => new Promise<void>((resolve) => (closed ? resolve() : (release = resolve))));
    return () => {
      closed = true;
      release?.();
    };
  }

  private acquire(name: string, signal?: AbortSignal): Promise<void> {
    if (!this.held.has(name)) {
      this.held.add(name);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { grant: resolve, signal };
      this.waiting.set(name, [...(this.waiting.get(name) ?? []), waiter]);
      signal?.addEventListener("abort", () => {
        const queue = this.waiting.get(name) ?? [];
        if (!queue.includes(waiter)) return; // already granted
        this.waiting.set(name, queue.filter((other) => other !== waiter));
        reject(aborted());
      });
    });
  }

  private free(name: string): void {
    const next = this.waiting.get(name)?.shift();
    if (next) next.grant();
    else this.held.delete(name);
  }
}

/** Installs a fresh double as `navigator.locks` (or removes it with `null`); returns it. */
export function installLocks(locks: LockManagerDouble | null = new LockManagerDouble()): LockManagerDouble | null {
  Object.defineProperty(globalThis.navigator, "locks", { value: locks, configurable: true, writable: true });
  return locks;
}

/** A same-process BroadcastChannel: a message reaches every other open channel of its name, a microtask later. */
export class BroadcastChannelDouble {
  private static readonly open = new Set<BroadcastChannelDouble>();
  /** Every message posted on any channel, in order: `[name, data]`. */
  static readonly posted: Array<[string, unknown]> = [];
  onmessage: ((event: { data: unknown }) => void) | null = null;
  private closed = false;

  constructor(readonly name: string) {
    BroadcastChannelDouble.open.add(this);
  }

  static reset(): void {
    BroadcastChannelDouble.open.clear();
    BroadcastChannelDouble.posted.length = 0;
  }

  postMessage(data: unknown): void {
    if (this.closed) throw new DOMException("the channel is closed", "InvalidStateError");
    BroadcastChannelDouble.posted.push([this.name, data]);
    for (const other of BroadcastChannelDouble.open) {
      if (other === this || other.name !== this.name) continue;
      const copy = structuredClone(data);
      void Promise.resolve().then(() => other.closed || other.onmessage?.({ data: copy }));
    }
  }

  close(): void {
    this.closed = true;
    BroadcastChannelDouble.open.delete(this);
  }
}

/** Installs the double as `BroadcastChannel` (or removes it with `null`). */
export function installBroadcastChannel(on = true): void {
  BroadcastChannelDouble.reset();
  Object.defineProperty(globalThis, "BroadcastChannel", { value: on ? BroadcastChannelDouble : undefined, configurable: true, writable: true });
}
