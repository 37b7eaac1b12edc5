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
import type { OutboxRecord } from "./store.js";

export class Ledger {
  readonly lanes = new Map<string, Lane>();
  own: Lane | undefined;
  nextSeq = 1;
  private readonly byId = new Map<string, Entry>();
  private reported = 0;

  constructor(
    private readonly hooks: OutboxHooks,
    private readonly logger: Logger,
    private readonly persistence: Persistence,
    private readonly resendDue: (entry: Entry) => void,
  ) {}

  /** Reflexes not yet committed or failed (tombstones of expired ones are not counted). */
  get pending(): number {
    let count = 0;
    for (const lane of this.lanes.values()) for (const entry of lane.entries) if (!entry.tombstone) count++;
    return count;
  }

  addLane(clientId: string, lock: HeldLock | null, own: boolean): Lane {
    const lane: Lane = { clientId, entries: [], lock, own, marking: false, moving: false };
    this.lanes.set(clientId, lane);
    if (own) this.own = lane;
    return lane;
  }

  createEntry(record: OutboxRecord, settle?: Settle): Entry {
    const entry: Entry = { record, stage: "queued", writing: 0, tombstone: false, markedHere: false, settle,
      resend: new Timer(() => this.resendDue(entry)) };
    return entry;
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
    if (!entry.tombstone) this.report(entry, stage, reason, error);
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

  /** Too old to run: reported now, but kept as a tombstone so its seq does not become a hole. */
  expire(entry: Entry): void {
    this.report(entry, "failed", "expired", "older than maxAge");
    entry.settle?.reject(new ReflexError("expired", entry.record.id, entry.record.target, "older than maxAge"));
    entry.settle = undefined;
    entry.tombstone = true;
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
    this.persistence
      .commit({ dropMeta: lane.clientId })
      .catch((error) => this.logger.log("warn", "could not forget an emptied client", error))
      .finally(() => lane.lock?.release());
  }

  /** Stops every timer and lets every lock go, as a page unload would. */
  close(): void {
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

  private remove(entry: Entry): boolean {
    if (!this.has(entry)) return false;
    entry.resend.cancel();
    const lane = this.lanes.get(entry.record.clientId);
    this.detach(entry);
    this.byId.delete(entry.record.id);
    const { clientId, seq } = entry.record;
    this.persistence
      .commit({ remove: [{ clientId, seq }] })
      .catch((error) => this.logger.log("warn", "could not delete a finished reflex", error));
    this.countChanged();
    if (lane && !lane.entries.length && !lane.own) this.release(lane);
    return true;
  }
}
