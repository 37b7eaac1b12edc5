// One lane per (user, clientId) store key: its reflexes are processed one at a time, lowest seq first
// (handlers are async, and Rails-style servers see a connection's messages out of order). Two users naming
// the same clientId get two lanes, as they get two namespaces in the store. A reflex whose seq is ahead of the
// store waits up to `gapWait` for the missing ones before it is answered with `gap`.

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
}

interface Lane<T> {
  pending: T[];
  running: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class Lanes<T extends LaneItem> {
  private readonly lanes = new Map<string, Lane<T>>();
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly hooks: LaneHooks<T>,
    private readonly gapWait: number,
  ) {}

  /** Lanes that hold or run something (for tests: 0 means nothing is left behind). */
  get size(): number {
    return this.lanes.size;
  }

  push(key: string, item: T): void {
    if (this.stopped) return;
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { pending: [], running: false, timer: undefined }));
    lane.pending.push(item);
    void this.pump(key, lane);
  }

  /** Takes no new items, forgets held ones, and resolves when running handlers finish (or after `timeout`). */
  async stop(timeout: number): Promise<void> {
    this.stopped = true;
    for (const lane of this.lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.pending = [];
    }
    if (this.running === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout))),
    ]);
    clearTimeout(timer);
  }

  private async pump(key: string, lane: Lane<T>): Promise<void> {
    if (lane.running) return; // the running pump picks the new item up on its next turn
    lane.running = true;
    this.running++;
    try {
      for (;;) {
        const last = await this.hooks.lastSeq(key);
        const next = takeLowest(lane.pending, last + 1);
        if (next) {
          await this.hooks.process(key, next, last);
          continue;
        }
        const now = Date.now();
        lane.pending = lane.pending.filter((item) => {
          if (now - item.arrivedAt < this.gapWait) return true;
          this.hooks.gap(key, item, last + 1);
          return false;
        });
        break;
      }
    } catch (error) {
      const dropped = lane.pending;
      lane.pending = [];
      this.hooks.error(key, error, dropped);
    } finally {
      lane.running = false;
      this.running--;
    }
    this.schedule(key, lane);
    if (this.running === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  /** Wakes the lane when its oldest held item's wait ends, or forgets an empty lane. */
  private schedule(key: string, lane: Lane<T>): void {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = undefined;
    if (lane.pending.length === 0 || this.stopped) {
      if (this.lanes.get(key) === lane) this.lanes.delete(key);
      return;
    }
    const oldest = Math.min(...lane.pending.map((item) => item.arrivedAt));
    const wait = Math.max(0, oldest + this.gapWait - Date.now());
    lane.timer = setTimeout(() => void this.pump(key, lane), wait);
  }
}

/** Removes and returns the lowest-seq item with seq <= limit. */
function takeLowest<T extends LaneItem>(items: T[], limit: number): T | undefined {
  let best = -1;
  for (let i = 0; i < items.length; i++) {
    if (items[i].seq <= limit && (best < 0 || items[i].seq < items[best].seq)) best = i;
  }
  return best < 0 ? undefined : items.splice(best, 1)[0];
}
