// Who owns a clientId. Every page load mints its own (Replicache's rule: reusing a tab's clientId across
// reloads needed sessionStorage, which a duplicated tab copies); what an earlier page left behind keeps
// its own clientId and seq and is sent by adoption (PROTOCOL.md §2, §5). Web Locks mark which clientIds a
// live tab owns: it holds its own lock for its whole life, so a free lock means the tab is gone.
// Without Web Locks (plain-http pages, older browsers) each page beats for the clientIds it owns: a time
// written into their meta in IndexedDB every HEARTBEAT_INTERVAL. A clientId whose beat is older than
// ORPHANED_AFTER (three missed beats) is orphaned, and a page may claim it in one transaction that
// re-reads the beat, so two pages never both win it. With Web Locks the lock is the claim and no beat is written.
import type { Logger } from "../core/logger.js";
import { Timer } from "../core/timer.js";
import type { Persistence } from "./storage.js";

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

/** A brand-new clientId: the server has never seen it, so its seqs start at 1. */
export function mintId(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === "function") return crypto.randomUUID(); // secure contexts only
  const bytes = new Uint8Array(16);
  if (typeof crypto?.getRandomValues === "function") crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** How often a page rewrites the beat of each clientId it owns, in ms. */
export const HEARTBEAT_INTERVAL = 2000;
/** How old a beat may be before its clientId counts as orphaned: three missed beats. */
export const ORPHANED_AFTER = 3 * HEARTBEAT_INTERVAL;

/** The time beats are written and judged by; tests move it instead of sleeping. */
export const clock = { now: (): number => Date.now() };

export class Heartbeat {
  /** Who holds a claim: this page, not its clientId (an adopted lane is held under another one). */
  readonly pageId = mintId();
  private readonly _held = new Set<string>();
  private readonly _heartbeatTimer = new Timer(() => void this._beat());
  private _stopped = false;

  constructor(
    private readonly _identity: string,
    private readonly _persistence: Persistence,
    private readonly _logger: Logger,
    /** Called with the clientIds another page claimed from us (our beats were late), then after every beat. */
    private readonly _afterBeat: (lost: string[]) => void,
  ) {}

  /** The lane is ours until released: its Web Lock, or, without Web Locks, a won heartbeat claim. */
  async claim(clientId: string): Promise<HeldLock | null> {
    if (locksSupported()) return tryLock(clientId);
    if (!this._persistence.durable || this._stopped) return null;
    const won = await this._persistence.claim({ clientId, identity: this._identity, by: this.pageId, now: clock.now(), staleAfter: ORPHANED_AFTER });
    if (!won) return null;
    this._held.add(clientId);
    if (!this._heartbeatTimer.pending) this._heartbeatTimer.schedule(HEARTBEAT_INTERVAL);
    return { release: () => this._release(clientId) };
  }

  stop(): void {
    this._stopped = true;
    this._heartbeatTimer.cancel();
  }

  private _release(clientId: string): void {
    if (!this._held.delete(clientId)) return;
    // Best effort: if the page goes before this lands, the beat simply goes stale.
    this._persistence.unclaim(clientId, this.pageId).catch((error) => this._logger.log("warn", "outbox: could not release a heartbeat", error));
  }

  private async _beat(): Promise<void> {
    if (this._stopped) return;
    let lost: string[] = [];
    try {
      lost = await this._persistence.beat([...this._held], this.pageId, clock.now());
    } catch (error) {
      this._logger.log("warn", "outbox: writing the heartbeat failed", error);
    }
    for (const clientId of lost) this._held.delete(clientId);
    if (this._stopped) return;
    this._heartbeatTimer.schedule(HEARTBEAT_INTERVAL);
    this._afterBeat(lost);
  }
}
