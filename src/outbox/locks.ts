// Web Locks mark which clientIds a live tab owns: a tab holds its own lock for its whole life, so a
// free lock means the tab is gone and its reflexes may be adopted. Feature-detected; absent = no adoption.

export interface HeldLock {
  release(): void;
}

interface LockManagerLike {
  request(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => unknown): Promise<unknown>;
}

export const lockName = (clientId: string) => `cable-courier:client:${clientId}`;

function lockManager(): LockManagerLike | undefined {
  const locks = (globalThis.navigator as { locks?: unknown } | undefined)?.locks;
  return locks && typeof (locks as LockManagerLike).request === "function" ? (locks as LockManagerLike) : undefined;
}

export const locksSupported = (): boolean => lockManager() !== undefined;

function request(clientId: string, options: { ifAvailable?: boolean; signal?: AbortSignal }): Promise<HeldLock | null> {
  const locks = lockManager();
  if (!locks) return Promise.resolve(null);
  return new Promise((resolve) => {
    locks
      .request(lockName(clientId), options, (lock) => {
        if (!lock) return resolve(null);
        // Held until released: the promise the callback returns keeps the lock.
        return new Promise<void>((release) => resolve({ release: () => release() }));
      })
      .catch(() => resolve(null));
  });
}

/** Takes the client's lock if no one holds it; null when another tab (or this one) does. */
export function tryLock(clientId: string): Promise<HeldLock | null> {
  return request(clientId, { ifAvailable: true });
}

/** Queues for the client's lock: resolves when the tab holding it is gone; null if aborted or unsupported. */
export function waitLock(clientId: string, signal: AbortSignal): Promise<HeldLock | null> {
  return request(clientId, { signal });
}
