// The reflexes this tab is responsible for, in memory: one lane per clientId, each in seq order.
// Every terminal outcome goes through here, so the stage event, the promise, the pending count and the
// record's deletion never disagree.
import { guarded } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import { Timer } from "../core/timer.js";
import type { FailureReason, Operation, Stage } from "../protocol/types.js";
import type { Entry, Lane } from "./entry.js";
import type { HeldLock } from "./locks.js";
import type { OutboxHooks } from "./hooks.js";
import type { Persistence } from "./persistence.js";
import { ReflexError, type Settle } from "./reflex-error.js";
import { refOf, type ClientMeta, type OutboxRecord, type RecordRef } from "./store.js";

export const EXPIRED = "older than maxAge";

export class Ledger {
  readonly lanes = new Map<string, Lane>();
  own: Lane | undefined;
  nextSeq = 1;
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
  private readonly byId = new Map<string, Entry>();
  private removals: RecordRef[] = [];
  private readonly flushTimer = new Timer(() => void this.flushRemovals());
  private reported = 0;
  /** Accepted by enqueue before the outbox loaded, not yet filed in a lane: pending all the same. */
  early = 0;

  constructor(
    readonly identity: string,
    private readonly hooks: OutboxHooks,
    private readonly logger: Logger,
    private readonly persistence: Persistence,
    private readonly resendDue: (entry: Entry) => void,
  ) {}

  /** Reflexes not yet committed or failed (tombstones of expired ones are not counted). */
  get pending(): number {
    let count = this.early;
    for (const lane of this.lanes.values()) for (const entry of lane.entries) if (entry.tombstone !== "reported") count++;
    return count;
  }

  addLane(clientId: string, lock: HeldLock | null, own: boolean): Lane {
    const lane: Lane = { clientId, entries: [], lock, own, marking: false, attemptedThrough: 0, moving: 0 };
    this.lanes.set(clientId, lane);
    if (own) this.own = lane;
    return lane;
  }

  createEntry(record: OutboxRecord, persisted: boolean, settle?: Settle): Entry {
    const entry: Entry = { record, stage: "queued", writing: 0, markedHere: false, markFailed: false, persisted, settle,
      resend: new Timer(() => this.resendDue(entry)) };
    return entry;
  }

  /** The meta of a client of this tab; the own client's carries the last hello identity. */
  meta(clientId: string, nextSeq: number, own: boolean): ClientMeta {
    const meta: ClientMeta = { clientId, identity: this.identity, nextSeq };
    if (own && this.helloIdentity !== undefined) meta.helloIdentity = this.helloIdentity;
    const attemptedThrough = this.lanes.get(clientId)?.attemptedThrough;
    if (attemptedThrough) meta.attemptedThrough = attemptedThrough;
    return meta;
  }

  entry(id: string): Entry | undefined {
    return this.byId.get(id);
  }

  has(entry: Entry): boolean {
    return this.byId.get(entry.record.id) === entry;
  }

  /** Files the entry in the lane of its record's clientId, keeping seq order. */
  insert(entry: Entry): void {
    const lane = this.lanes.get(entry.record.clientId);
    if (!lane) throw new Error(`no lane for client ${entry.record.clientId}`);
    const at = lane.entries.findIndex((other) => other.record.seq > entry.record.seq);
    lane.entries.splice(at < 0 ? lane.entries.length : at, 0, entry);
    this.byId.set(entry.record.id, entry);
    this.countChanged();
  }

  /** Takes the entry out of its lane (in memory only); the caller files it again. */
  detach(entry: Entry): void {
    const lane = this.lanes.get(entry.record.clientId);
    const at = lane ? lane.entries.indexOf(entry) : -1;
    if (lane && at >= 0) lane.entries.splice(at, 1);
  }

  emit(entry: Entry, stage: Stage, reason?: FailureReason, error?: string): void {
    entry.stage = stage;
    if (entry.tombstone !== "reported") this.report(entry, stage, reason, error);
  }

  private report(entry: Entry, stage: Stage, reason?: FailureReason, error?: string): void {
    const { id, target, clientId, seq } = entry.record;
    const detail = { id, target, clientId, seq, stage, ...(reason && { reason }), ...(error !== undefined && { error }) };
    guarded(this.logger, "stage hook", () => this.hooks.stage(detail));
  }

  commit(entry: Entry, operations: Operation[]): void {
    if (!this.remove(entry)) return;
    this.emit(entry, "committed");
    entry.settle?.resolve({ id: entry.record.id, target: entry.record.target, operations });
  }

  fail(entry: Entry, reason: FailureReason, error?: string): void {
    if (!this.remove(entry)) return;
    this.emit(entry, "failed", reason, error);
    entry.settle?.reject(new ReflexError(reason, entry.record.id, entry.record.target, error));
  }

  /** Too old to run and never sent: reported now, but kept as a tombstone so its seq does not become a hole. */
  expire(entry: Entry): void {
    this.report(entry, "failed", "expired", EXPIRED);
    entry.settle?.reject(new ReflexError("expired", entry.record.id, entry.record.target, EXPIRED));
    entry.settle = undefined;
    entry.tombstone = "reported";
    this.countChanged();
  }

  /** A tombstone answered (or not needed): gone without another stage event. */
  drop(entry: Entry): void {
    this.remove(entry);
  }

  /** A reflex refused before it got a seq (outbox full, unusable payload). */
  refuse(id: string, target: string, reason: FailureReason, settle: Settle, error: string): void {
    const detail = { id, target, clientId: this.own?.clientId ?? "", seq: 0, stage: "failed" as const, reason, error };
    guarded(this.logger, "stage hook", () => this.hooks.stage(detail));
    settle.reject(new ReflexError(reason, id, target, error));
  }

  /** Forgets a lane that is not ours: its meta goes, then its lock, so another tab may mint afresh. */
  release(lane: Lane): void {
    if (lane.own || this.lanes.get(lane.clientId) !== lane) return;
    this.lanes.delete(lane.clientId);
    const lock = lane.lock;
    if (!lock) return; // without Web Locks another tab may share this client: its meta is not ours to drop
    const remove = this.takeRemovals(); // before the lock goes, so no other tab adopts what is done
    this.persistence
      .commit({ remove, dropMeta: lane.clientId })
      .catch((error) => this.logger.log("warn", "could not forget an emptied client", error))
      .finally(() => lock.release());
  }

  /** Another page claimed this lane (our heartbeat was late): it sends these now, so this page forgets them. */
  abandon(lane: Lane): void {
    if (this.lanes.get(lane.clientId) !== lane) return;
    this.lanes.delete(lane.clientId);
    for (const entry of lane.entries) {
      entry.resend.cancel();
      this.byId.delete(entry.record.id);
    }
    lane.entries.splice(0);
    this.countChanged();
  }

  /** Stops every timer and lets every lock go, as a page unload would. */
  close(): void {
    this.flushTimer.cancel();
    void this.flushRemovals();
    for (const lane of this.lanes.values()) {
      for (const entry of lane.entries) entry.resend.cancel();
      lane.lock?.release();
    }
  }

  countChanged(): void {
    const count = this.pending;
    if (count === this.reported) return;
    this.reported = count;
    guarded(this.logger, "pendingChanged hook", () => this.hooks.pendingChanged(count));
  }

  private takeRemovals(): RecordRef[] {
    const removals = this.removals;
    this.removals = [];
    this.flushTimer.cancel();
    return removals;
  }

  /** Deletes finished records now rather than with the next batch (the page is going away). */
  flushRemovals(): Promise<unknown> {
    const remove = this.takeRemovals();
    if (!remove.length) return Promise.resolve();
    return this.persistence.commit({ remove }).catch((error) => this.logger.log("warn", "could not delete finished reflexes", error));
  }

  private remove(entry: Entry): boolean {
    if (!this.has(entry)) return false;
    entry.resend.cancel();
    const lane = this.lanes.get(entry.record.clientId);
    this.detach(entry);
    this.byId.delete(entry.record.id);
    // Deletions of one burst of acks share a transaction (1,000 of their own cost ~100 ms in Chromium).
    // One lost with the page is harmless: the record is sent again and the server answers from its store.
    this.removals.push(refOf(entry.record));
    if (!this.flushTimer.pending) this.flushTimer.schedule(0);
    this.countChanged();
    if (lane && !lane.entries.length && !lane.own) this.release(lane);
    return true;
  }
}
