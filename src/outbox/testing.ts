// Test doubles for the outbox's browser dependencies (happy-dom has no navigator.locks).

type Callback = (lock: { name: string; mode: "exclusive" } | null) => unknown;

/**
 * A Web Locks manager with the semantics the outbox relies on: exclusive locks, held until the
 * callback's promise settles; `ifAvailable` gets null instead of waiting. Share one between
 * Outbox instances to play several tabs of one browser.
 */
export class LockManagerDouble {
  private readonly held = new Set<string>();
  private readonly waiting = new Map<string, Array<() => void>>();

  request(name: string, options: { ifAvailable?: boolean } | Callback, callback?: Callback): Promise<unknown> {
    const fn = (typeof options === "function" ? options : callback) as Callback;
    const ifAvailable = typeof options === "object" && options.ifAvailable === true;
    if (this.held.has(name) && ifAvailable) return Promise.resolve().then(() => fn(null));
    return this.acquire(name).then(() => {
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

  private acquire(name: string): Promise<void> {
    if (!this.held.has(name)) {
      this.held.add(name);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.set(name, [...(this.waiting.get(name) ?? []), resolve]));
  }

  private free(name: string): void {
    const next = this.waiting.get(name)?.shift();
    if (next) next();
    else this.held.delete(name);
  }
}

/** Installs a fresh double as `navigator.locks` (or removes it with `null`); returns it. */
export function installLocks(locks: LockManagerDouble | null = new LockManagerDouble()): LockManagerDouble | null {
  Object.defineProperty(globalThis.navigator, "locks", { value: locks, configurable: true, writable: true });
  return locks;
}
