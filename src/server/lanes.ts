// One lane per (user, clientId) store key: its reflexes are processed one at a time, lowest seq first
// (handlers are async, and Rails-style servers see a connection's messages out of order). Two users naming
// the same clientId get two lanes, as they get two namespaces in the store. A reflex whose seq is ahead of the
// store waits up to `gapWait` for the missing ones before it is answered with `gap`. A lane holds at most
// `maxHeld` items: one socket flooding seqs far ahead gets `gap` at once for the excess (or, for items the
// lane could run, silence: the client resends), so memory and each pump's work stay bounded.

export interface LaneItem {
  seq: number;
  arrivedAt: number;
}

export interface LaneHooks<T extends LaneItem> {
  lastSeq(key: string): Promise<number>;
  /** Handles an item with seq <= last + 1 (a duplicate or the next one). Must not throw. */
  process(key: string, item: T, last: number): Promise<void>;
  /** The item waited `gapWait` and its predecessors never came. */
  gap(key: string, item: T, expected: number): void;
  /** The store failed; the lane's held items were dropped unanswered (their sockets should close so clients resend). */
  error(key: string, error: unknown, dropped: T[]): void;
  /** The lane was full; `expected` is the seq it waits for (undefined before the store answered once). */
  overflow(key: string, item: T, expected: number | undefined): void;
}

interface Lane<T> {
  pending: T[];
  running: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The last seq the store reported for this lane, for answering an overflow without waiting on it. */
  last: number | undefined;
}

/** Items one lane holds at most; a client's window is 32, so an honest client never comes close. */
export const DEFAULT_MAX_HELD = 256;

export class Lanes<T extends LaneItem> {
  private readonly _lanes = new Map<string, Lane<T>>();
  private _running = 0;
  private _idleWaiters: Array<() => void> = [];
  private _stopped = false;

  constructor(
    private readonly _hooks: LaneHooks<T>,
    private readonly _gapWait: number,
    private readonly _maxHeld = DEFAULT_MAX_HELD,
  ) {}

  /** Lanes that hold or run something (for tests: 0 means nothing is left behind). */
  get size(): number {
    return this._lanes.size;
  }

  /** Items held across all lanes (bounded by `maxHeld` per lane). */
  get held(): number {
    let held = 0;
    for (const lane of this._lanes.values()) held += lane.pending.length;
    return held;
  }

  push(key: string, item: T): void {
    if (this._stopped) return;
    let lane = this._lanes.get(key);
    if (!lane) this._lanes.set(key, (lane = { pending: [], running: false, timer: undefined, last: undefined }));
    if (lane.pending.length >= this._maxHeld) {
      // Full: the excess is answered now rather than held. The next seq is never refused while it can run.
      const expected = lane.last === undefined ? undefined : lane.last + 1;
      if (expected === undefined || item.seq > expected) return this._hooks.overflow(key, item, expected);
      const highest = highestIndex(lane.pending);
      if (lane.pending[highest].seq <= expected) return this._hooks.overflow(key, item, expected);
      this._hooks.overflow(key, lane.pending.splice(highest, 1, item)[0], expected);
    } else lane.pending.push(item);
    this._run(key, lane);
  }

  /** Starts the pump; whatever escapes it (a throwing hook) is reported, never an unhandled rejection. */
  private _run(key: string, lane: Lane<T>): void {
    this._pump(key, lane).catch((error: unknown) => {
      try {
        this._hooks.error(key, error, []);
      } catch {
        // The error hook itself failed: nothing left to tell.
      }
    });
  }

  /** Takes no new items, forgets held ones, and resolves when running handlers finish (or after `timeout`). */
  async stop(timeout: number): Promise<void> {
    this._stopped = true;
    for (const lane of this._lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.pending = [];
    }
    if (this._running === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this._idleWaiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout))),
    ]);
    clearTimeout(timer);
  }

  private async _pump(key: string, lane: Lane<T>): Promise<void> {
    if (lane.running) return; // the running pump picks the new item up on its next turn
    lane.running = true;
    this._running++;
    try {
      for (;;) {
        const last = await this._hooks.lastSeq(key);
        lane.last = last;
        const next = takeLowest(lane.pending, last + 1);
        if (next) {
          await this._hooks.process(key, next, last);
          continue;
        }
        // Expired items are swept only when the oldest one is due, not on every turn.
        const now = Date.now();
        if (lane.pending.length > 0 && oldestArrival(lane.pending) + this._gapWait <= now) {
          const kept: T[] = [];
          for (const item of lane.pending) {
            if (now - item.arrivedAt < this._gapWait) kept.push(item);
            else this._hooks.gap(key, item, last + 1);
          }
          lane.pending = kept;
        }
        break;
      }
    } catch (error) {
      const dropped = lane.pending;
      lane.pending = [];
      this._hooks.error(key, error, dropped);
    } finally {
      lane.running = false;
      this._running--;
    }
    this._schedule(key, lane);
    if (this._running === 0) this._idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  /** Wakes the lane when its oldest held item's wait ends, or forgets an empty lane. */
  private _schedule(key: string, lane: Lane<T>): void {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = undefined;
    if (lane.pending.length === 0 || this._stopped) {
      if (this._lanes.get(key) === lane) this._lanes.delete(key);
      return;
    }
    const wait = Math.max(0, oldestArrival(lane.pending) + this._gapWait - Date.now());
    lane.timer = setTimeout(() => this._run(key, lane), wait);
  }
}

/** A loop, not Math.min(...list): spreading a long list overflows the stack. */
function oldestArrival(items: LaneItem[]): number {
  let oldest = Infinity;
  for (const item of items) if (item.arrivedAt < oldest) oldest = item.arrivedAt;
  return oldest;
}

function highestIndex(items: LaneItem[]): number {
  let best = 0;
  for (let i = 1; i < items.length; i++) if (items[i].seq > items[best].seq) best = i;
  return best;
}

/** Removes and returns the lowest-seq item with seq <= limit. */
function takeLowest<T extends LaneItem>(items: T[], limit: number): T | undefined {
  let best = -1;
  for (let i = 0; i < items.length; i++) {
    if (items[i].seq <= limit && (best < 0 || items[i].seq < items[best].seq)) best = i;
  }
  return best < 0 ? undefined : items.splice(best, 1)[0];
}
