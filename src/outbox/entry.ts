// The in-memory shapes of the delivery engine: one Entry per stored reflex, one Lane per clientId.
import type { Timer } from "../core/timer.js";
import type { Stage } from "../protocol/types.js";
import type { HeldLock } from "./locks.js";
import type { Settle } from "./reflex-error.js";
import type { OutboxRecord } from "./store.js";

export interface Entry {
  record: OutboxRecord;
  stage: Stage;
  /** Writes of this record still in flight; nothing in its lane is sent past it until they land. */
  writing: number;
  /** Expired before it was sent: goes out as a tombstone, its failure already reported. */
  tombstone: boolean;
  /** Plain mode: this page wrote `attempted` itself, so the flag is not a leftover of an earlier load. */
  markedHere: boolean;
  readonly resend: Timer;
  settle?: Settle;
}

export interface Lane {
  readonly clientId: string;
  readonly entries: Entry[];
  lock: HeldLock | null;
  /** The lane new reflexes join; never released. Other lanes are adopted or relocated ones. */
  own: boolean;
  marking: boolean;
  moving: boolean;
  /** The `expected` of the last gap acted on, so a burst of gap acks triggers one resend. */
  gapExpected?: number;
}
