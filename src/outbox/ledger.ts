// The lanes of this tab by clientId, and the reflexes they hold by id. Every state change (`step`) and
// every terminal outcome goes through here, so the stage event, the promise, the pending count and the
// record's deletion never disagree.
import { guarded } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import { Timer } from "../core/timer.js";
import type { FailureReason, Operation, Stage } from "../protocol/types.js";
import type { HeldLock } from "./claims.js";
import type { OutboxHooks } from "./hooks.js";
import { Lane } from "./lane.js";
import { stageOf, transition, type Entry, type Event, type State } from "./record.js";
import { ReflexError, type Settle } from "./reflex-error.js";
import { refOf, type OutboxRecord, type Persistence, type RecordRef } from "./storage.js";

export const EXPIRED = "older than maxAge";

export class Ledger {
  readonly lanes = new Map<string, Lane>();
  own: Lane | undefined;
  /** The last hello `identity` seen by the own client (stored in its meta across pages). */
  helloIdentity: string | undefined;
  /**
   * A hello came on this page: only then are new records stamped with `helloIdentity`. One made before
   * is not the previous hello's user's (the page may be another user's by now): it is bound to the first
   * hello this page sees (issue 9 item 4, PROTOCOL.md §6).
   */
  helloSeenHere = false;
  /** Records made on this page before its first hello, waiting to be bound to that hello's identity. */
  readonly unbound = new Set<Entry>();
  private readonly _byId = new Map<string, Entry>();
  private _removals: RecordRef[] = [];
  private readonly _flushTimer = new Timer(() => void this.flushRemovals());
  private _reported = 0;
  /** Accepted by enqueue before the outbox loaded, not yet filed in a lane: pending all the same. */
  early = 0;

  constructor(
    readonly identity: string,
    private readonly _hooks: OutboxHooks,
    private readonly _logger: Logger,
    readonly persistence: Persistence,
    private readonly _resendDue: (entry: Entry) => void,
    /** Something a lane waited for landed: send what may go now. */
    readonly wake: () => void,
  ) {}

  /** Reflexes not yet committed or failed (tombstones of expired ones are not counted). */
  get pending(): number {
    let count = this.early;
    for (const lane of this.lanes.values()) for (const entry of lane.entries) if (entry.state.void !== "reported") count++;
    return count;
  }

  addLane(clientId: string, lock: HeldLock | null, own: boolean): Lane {
    const lane = new Lane(clientId, lock, own, this);
    this.lanes.set(clientId, lane);
    if (own) this.own = lane;
    return lane;
  }

  createEntry(record: OutboxRecord, state: State, settle?: Settle): Entry {
    const entry: Entry = { record, state, settle, resend: new Timer(() => this._resendDue(entry)) };
    return entry;
  }

  entry(id: string): Entry | undefined {
    return this._byId.get(id);
  }

  has(entry: Entry): boolean {
    return this._byId.get(entry.record.id) === entry;
  }

  /** Files the entry in the lane of its record's clientId, keeping seq order. */
  insert(entry: Entry): void {
    const lane = this.lanes.get(entry.record.clientId);
    if (!lane) throw new Error(`no lane for client ${entry.record.clientId}`);
    lane.insert(entry);
    this._byId.set(entry.record.id, entry);
    this.countChanged();
  }

  /**
   * The one way a reflex's state changes: what `transition` makes of `event`, reported as a stage event
   * unless `quiet` (or a reported tombstone). False when the event cannot happen in its state.
   */
  step(entry: Entry, event: Event, quiet = false): boolean {
    const next = transition(entry.state, event);
    if (!next) {
      this._logger.log("debug", `outbox: ${event.type} refused for ${entry.record.id} (${entry.state.kind})`);
      return false;
    }
    entry.state = next;
    if (!quiet && next.void !== "reported") this._report(entry, stageOf(next));
    return true;
  }

  private _emit(entry: Entry, stage: Stage, reason?: FailureReason, error?: string): void {
    if (entry.state.void !== "reported") this._report(entry, stage, reason, error);
  }

  private _report(entry: Entry, stage: Stage, reason?: FailureReason, error?: string): void {
    const { id, target, clientId, seq } = entry.record;
    const detail = { id, target, clientId, seq, stage, ...(reason && { reason }), ...(error !== undefined && { error }) };
    guarded(this._logger, "stage hook", () => this._hooks.stage(detail));
  }

  commit(entry: Entry, operations: Operation[]): void {
    if (!this._remove(entry)) return;
    this._emit(entry, "committed");
    entry.settle?.resolve({ id: entry.record.id, target: entry.record.target, operations });
  }

  fail(entry: Entry, reason: FailureReason, error?: string): void {
    if (!this._remove(entry)) return;
    this._emit(entry, "failed", reason, error);
    entry.settle?.reject(new ReflexError(reason, entry.record.id, entry.record.target, error));
  }

  /**
   * Too old to run: a tombstone. One that never ran is reported now, but kept so its seq does not become
   * a hole; one that may have run asks the server (its answer decides).
   */
  expire(entry: Entry): void {
    if (!this.step(entry, { type: "expired" }, true) || entry.state.void !== "reported") return;
    this._report(entry, "failed", "expired", EXPIRED);
    entry.settle?.reject(new ReflexError("expired", entry.record.id, entry.record.target, EXPIRED));
    entry.settle = undefined;
    this.countChanged();
  }

  /** A tombstone answered (or not needed): gone without another stage event. */
  drop(entry: Entry): void {
    this._remove(entry);
  }

  /** A reflex refused before it got a seq (outbox full, unusable payload). */
  refuse(id: string, target: string, reason: FailureReason, settle: Settle, error: string): void {
    const detail = { id, target, clientId: this.own?.clientId ?? "", seq: 0, stage: "failed" as const, reason, error };
    guarded(this._logger, "stage hook", () => this._hooks.stage(detail));
    settle.reject(new ReflexError(reason, id, target, error));
  }

  /** Forgets a lane that is not ours: its meta goes, then its lock, so another tab may mint afresh. */
  release(lane: Lane): void {
    if (lane.own || this.lanes.get(lane.clientId) !== lane) return;
    this.lanes.delete(lane.clientId);
    const lock = lane.lock;
    if (!lock) return; // without Web Locks another tab may share this client: its meta is not ours to drop
    const remove = this._takeRemovals(); // before the lock goes, so no other tab adopts what is done
    this.persistence
      .commit({ remove, dropMeta: lane.clientId })
      .catch((error) => this._logger.log("warn", "could not forget an emptied client", error))
      .finally(() => lock.release());
  }

  /** Another page claimed this lane (our heartbeat was late): it sends these now, so this page forgets them. */
  abandon(lane: Lane): void {
    if (this.lanes.get(lane.clientId) !== lane) return;
    this.lanes.delete(lane.clientId);
    for (const entry of lane.entries) {
      entry.resend.cancel();
      this._byId.delete(entry.record.id);
    }
    lane.entries.splice(0);
    this.countChanged();
  }

  /** Stops every timer and lets every lock go, as a page unload would. */
  close(): void {
    this._flushTimer.cancel();
    void this.flushRemovals();
    for (const lane of this.lanes.values()) {
      for (const entry of lane.entries) entry.resend.cancel();
      lane.lock?.release();
    }
  }

  countChanged(): void {
    const count = this.pending;
    if (count === this._reported) return;
    this._reported = count;
    guarded(this._logger, "pendingChanged hook", () => this._hooks.pendingChanged(count));
  }

  private _takeRemovals(): RecordRef[] {
    const removals = this._removals;
    this._removals = [];
    this._flushTimer.cancel();
    return removals;
  }

  /** Deletes finished records now rather than with the next batch (the page is going away). */
  flushRemovals(): Promise<unknown> {
    const remove = this._takeRemovals();
    if (!remove.length) return Promise.resolve();
    return this.persistence.commit({ remove }).catch((error) => this._logger.log("warn", "could not delete finished reflexes", error));
  }

  private _remove(entry: Entry): boolean {
    if (!this.has(entry)) return false;
    entry.resend.cancel();
    const lane = this.lanes.get(entry.record.clientId);
    lane?.detach(entry);
    this._byId.delete(entry.record.id);
    // Deletions of one burst of acks share a transaction (1,000 of their own cost ~100 ms in Chromium).
    // One lost with the page is harmless: the record is sent again and the server answers from its store.
    this._removals.push(refOf(entry.record));
    if (!this._flushTimer.pending) this._flushTimer.schedule(0);
    this.countChanged();
    if (lane && !lane.entries.length && !lane.own) this.release(lane);
    return true;
  }
}
