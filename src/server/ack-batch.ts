// Batched acknowledgements (PROTOCOL.md §3, "Batched acknowledgements"): for a subscription that
// announced `courierAcks: "batch"`, the acks one tick produces go out as one channel message, and the
// `received` acks of consecutive seqs of one clientId travel as one entry with `through` and their ids.
// The batch only delays when acks are sent, never what is stored: every commit is still its own
// transaction, and a batch lost with its socket is the same as its acks lost one by one.
import type { CourierAck } from "../protocol/types.js";

/** The subscription param that asks for batches; absent or anything else means one message per ack. */
export const BATCH_PARAM = "courierAcks";
export const BATCH_VALUE = "batch";
/** Acks one batch message carries at most. */
export const BATCH_CHUNK = 1024;

/** One entry of a batch: a per-reflex ack without `v`, or a run of `received` acks. */
export type BatchEntry = Omit<CourierAck, "v"> | ReceivedRun;

export interface ReceivedRun {
  ack: "received";
  clientId: string;
  seq: number;
  /** The last seq of the run; the run covers seq..through, one id per seq. */
  through: number;
  ids: string[];
}

/**
 * The entries of one batch, in the order the acks were made, except that each run of `received` acks
 * (one clientId, consecutive seqs) stands at the place of its first member: a `received` earlier than
 * the `committed` of a lower seq says nothing new, since `received` only stops the resend timer.
 */
export function batchEntries(acks: CourierAck[]): BatchEntry[] {
  const entries: BatchEntry[] = [];
  const open = new Map<string, ReceivedRun>();
  for (const { v: _v, ...ack } of acks) {
    if (ack.ack !== "received") {
      entries.push(ack);
      continue;
    }
    const run = open.get(ack.clientId);
    if (run && run.through + 1 === ack.seq) {
      run.through = ack.seq;
      run.ids.push(ack.id);
      continue;
    }
    const fresh: ReceivedRun = { ack: "received", clientId: ack.clientId, seq: ack.seq, through: ack.seq, ids: [ack.id] };
    open.set(ack.clientId, fresh);
    entries.push(fresh);
  }
  // A run of one is written as the plain ack it is.
  return entries.map((entry) =>
    "through" in entry && entry.through === entry.seq ? { ack: "received", id: entry.ids[0], clientId: entry.clientId, seq: entry.seq } : entry,
  );
}

type Send = (identifier: string, message: unknown) => void;

/**
 * The acks waiting for the end of this tick, per subscription identifier of one connection. Made only for
 * a connection with a batching subscription, so an idle held connection costs nothing.
 */
export class AckBatch {
  private readonly _pending = new Map<string, CourierAck[]>();
  private _scheduled = false;

  constructor(private readonly _send: Send) {}

  add(identifier: string, ack: CourierAck): void {
    const list = this._pending.get(identifier);
    if (list) list.push(ack);
    else this._pending.set(identifier, [ack]);
    if (this._scheduled) return;
    this._scheduled = true;
    // setImmediate, not a microtask: a lane's pump runs on microtasks, so a microtask flush would send
    // after every reflex instead of once the lane has worked through what arrived.
    setImmediate(() => this.flush());
  }

  /** Sends what waits; also called before any other message of the connection, so order is kept. */
  flush(): void {
    this._scheduled = false;
    if (this._pending.size === 0) return;
    const pending = [...this._pending];
    this._pending.clear();
    for (const [identifier, acks] of pending) {
      // Chunks stay far inside the client's bound on one batch (MAX_BATCH in src/protocol/validate.ts).
      for (let i = 0; i < acks.length; i += BATCH_CHUNK) {
        const chunk = acks.slice(i, i + BATCH_CHUNK);
        this._send(identifier, chunk.length === 1 ? { courier: chunk[0] } : { courier: { v: 1, batch: batchEntries(chunk) } });
      }
    }
  }
}
