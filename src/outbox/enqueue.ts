// Storing a new reflex: the next seq of the own client, allocated in the same transaction that stores it.
import type { ReflexPayload } from "../protocol/types.js";
import type { Context } from "./context.js";
import type { Settle } from "./reflex-error.js";
import type { OutboxRecord } from "./store.js";

export function storeReflex(ctx: Context, payload: ReflexPayload, retry: "safe" | "unsafe", settle: Settle, maxQueue: number): void {
  const { ledger, persistence, delivery, identity } = ctx;
  const { id, target } = payload;
  const lane = ledger.own;
  if (ctx.closed() || !lane) return ledger.refuse(id, target, "storage", settle, "the outbox is closed");
  if (ledger.pending >= maxQueue)
    return ledger.refuse(id, target, "outbox-full", settle, `${ledger.pending} reflexes are already waiting`);
  if (ledger.entry(id)) return ledger.refuse(id, target, "failed", settle, "a reflex with this id is already waiting");

  const { clientId } = lane;
  const seq = ledger.nextSeq++;
  // Linked: it goes out as soon as it is stored, so its `attempted` mark rides in the same write.
  const premark = delivery.linked && persistence.durable;
  const record: OutboxRecord = { id, identity, clientId, seq, target, retry, createdAt: Date.now(),
    payload: { ...payload, courier: { v: 1, clientId, seq } } };
  if (premark) record.attempted = true;
  if (ledger.helloIdentity !== undefined) record.helloIdentity = ledger.helloIdentity;
  const entry = ledger.createEntry(record, false, settle);
  entry.markedHere = premark;
  entry.writing = 1;
  ledger.insert(entry);
  // The counter lives in memory because this tab owns the client; the meta is for the next page.
  persistence
    .commit({ put: [record], meta: ledger.meta(clientId, seq + 1, true) })
    .then(
      (durable) => {
        entry.writing--;
        entry.persisted = durable;
        if (ledger.has(entry)) ledger.emit(entry, "queued");
      },
      (error) => {
        if (ledger.own === lane && ledger.nextSeq === seq + 1) ledger.nextSeq = seq; // no hole when it was the last
        ledger.fail(entry, "storage", `storage is full: ${String(error)}`);
      },
    )
    .finally(() => delivery.pump());
}
