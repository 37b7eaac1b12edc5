// Storing a new reflex: the next seq of the own client, allocated in the same transaction that stores it.
// Reflexes accepted in one task share that transaction (one commit instead of a queue of them that a
// reload would abort half-way); the journal covers the moment before it commits.
import type { ReflexPayload } from "../protocol/types.js";
import type { Context } from "./context.js";
import type { Entry, Lane } from "./entry.js";
import { journalRemove, journalStamp } from "./journal.js";
import type { Settle } from "./reflex-error.js";
import type { OutboxRecord } from "./store.js";

export interface Accepted {
  payload: ReflexPayload;
  retry: "safe" | "unsafe";
  settle: Settle;
  /** When `stimulate()` accepted it (a journaled reflex keeps its original time for maxAge). */
  createdAt: number;
}

/** The entries of one lane waiting for this task's transaction. */
const batches = new WeakMap<Lane, Entry[]>();

export function storeReflex(ctx: Context, accepted: Accepted, maxQueue: number): void {
  const { ledger, persistence, delivery, identity } = ctx;
  const { payload, retry, settle, createdAt } = accepted;
  const { id, target } = payload;
  const lane = ledger.own;
  const refuse = (reason: "storage" | "outbox-full" | "failed", why: string) => {
    journalRemove(id);
    ledger.refuse(id, target, reason, settle, why);
  };
  if (ctx.closed() || !lane) return refuse("storage", "the outbox is closed");
  if (ledger.pending >= maxQueue) return refuse("outbox-full", `${ledger.pending} reflexes are already waiting`);
  if (ledger.entry(id)) return refuse("failed", "a reflex with this id is already waiting");

  const { clientId } = lane;
  const seq = ledger.nextSeq++;
  journalStamp(id, clientId, seq);
  // Linked: it goes out as soon as it is stored, so its `attempted` mark rides in the same write.
  const premark = delivery.linked && persistence.durable;
  const record: OutboxRecord = { id, identity, clientId, seq, target, retry, createdAt,
    payload: { ...payload, courier: { v: 1, clientId, seq } } };
  if (premark) record.attempted = true;
  if (ledger.helloSeenHere && ledger.helloIdentity !== undefined) record.helloIdentity = ledger.helloIdentity;
  const entry = ledger.createEntry(record, false, settle);
  if (!ledger.helloSeenHere) ledger.unbound.add(entry);
  entry.markedHere = premark;
  entry.writing = 1;
  ledger.insert(entry);
  let batch = batches.get(lane);
  if (!batch) {
    const entries: Entry[] = (batch = []);
    batches.set(lane, entries);
    queueMicrotask(() => {
      batches.delete(lane);
      write(ctx, lane, entries);
    });
  }
  batch.push(entry);
}

function write(ctx: Context, lane: Lane, entries: Entry[]): void {
  const { ledger, persistence, delivery } = ctx;
  const first = entries[0].record.seq;
  const last = entries[entries.length - 1].record.seq;
  // The counter lives in memory because this tab owns the client; the meta is for the next page.
  persistence
    .commit({ put: entries.map((entry) => entry.record), meta: ledger.meta(lane.clientId, last + 1, true) })
    .then(
      (durable) => {
        for (const entry of entries) {
          entry.writing--;
          entry.persisted = durable;
          // In IndexedDB now (or in memory only, where a later page must not run it again from here).
          journalRemove(entry.record.id);
          if (ledger.has(entry)) ledger.emit(entry, "queued");
        }
      },
      (error) => {
        if (ledger.own === lane && ledger.nextSeq === last + 1) ledger.nextSeq = first; // no hole when they were the last
        for (const entry of entries) {
          journalRemove(entry.record.id);
          ledger.fail(entry, "storage", `storage is full: ${String(error)}`);
        }
      },
    )
    .finally(() => delivery.pump());
}
