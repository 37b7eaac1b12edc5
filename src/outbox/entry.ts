// The in-memory shapes of the delivery engine: one Entry per stored reflex, one Lane per clientId.
import type { Timer } from "../core/timer.js";
import type { Stage } from "../protocol/types.js";
import type { HeldLock } from "./locks.js";
import type { Settle } from "./reflex-error.js";
import type { OutboxRecord, ClientMeta } from "./store.js";

export interface Entry {
  record: OutboxRecord;
  stage: Stage;
  /** Writes of this record still in flight; nothing in its lane is sent past it until they land. */
  writing: number;
  /**
   * Expired (older than maxAge): it goes out as a tombstone. `reported`: it was never sent, its failure
   * is already reported and the answer only frees its seq. `asking`: it may have run; the answer decides.
   */
  tombstone?: "reported" | "asking";
  /** This page wrote the record's `attempted` mark, so the mark is not a leftover of an earlier page. */
  markedHere: boolean;
  /** The `attempted` mark could not be made durable: a reload might send it again. */
  markFailed: boolean;
  /** The record is in IndexedDB, so a later page could send it. */
  persisted: boolean;
  /** The clientId it last went out under from this page; undefined = this page never sent it. */
  sentUnder?: string;
  /** Ack timer (`sent`) or commit timer (`received`): sends it again when it runs out. */
  readonly resend: Timer;
  settle?: Settle;
}

/** Sent by this page, or marked `attempted` by an earlier one: it may have run. */
export const maybeSent = (entry: Entry): boolean =>
  entry.sentUnder !== undefined || (entry.record.attempted === true && !entry.markedHere);

export const inFlight = (entry: Entry): boolean => entry.stage === "sent" || entry.stage === "received";

export interface Lane {
  readonly clientId: string;
  readonly entries: Entry[];
  lock: HeldLock | null;
  /** The lane new reflexes join; never released. Other lanes are adopted or relocated ones. */
  own: boolean;
  marking: boolean;
  /** The durable `attempted` mark: every seq up to this one may have been sent. */
  attemptedThrough: number;
  /** Another tab's client (adopted): its meta as loaded, so writing the mark keeps its nextSeq. */
  loadedMeta?: ClientMeta;
  /** Relocations of this lane in progress; nothing of it is sent meanwhile. */
  moving: number;
  /** The `expected` of the last gap acted on, so a burst of gap acks triggers one resend. */
  gapExpected?: number;
}
