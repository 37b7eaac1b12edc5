// Draining the journal of a lane this page has just claimed (its page is gone, its lock or heartbeat is
// ours): what never reached IndexedDB is stored under that lane, at its own seq, before adoption loads
// the lane. Entries the lane's stored counter already passed landed (and may have run since): dropped.
import type { Context } from "./context.js";
import { journalDrop, journalOf } from "./journal.js";
import { sanitize } from "./payload.js";
import type { OutboxRecord } from "./store.js";

export async function drainJournal(clientId: string, ctx: Context): Promise<void> {
  const { identity, persistence, ledger, logger } = ctx;
  // Another identity's page journaled these: only a page of that identity sends them.
  const entries = journalOf(clientId).filter((entry) => entry.identity === identity);
  if (!entries.length) return;
  const [meta, known] = await Promise.all([persistence.getMeta(clientId), persistence.recordIds()]);
  const counter = meta?.nextSeq ?? 1;
  let nextSeq = counter;
  const put: OutboxRecord[] = [];
  for (const { payload, retry, createdAt, seq } of entries) {
    const { id } = payload;
    if (known.has(id) || ledger.entry(id)) continue; // in IndexedDB: only the journal's cleanup was lost
    if (typeof seq === "number" && seq < counter) continue; // its write landed
    // Unstamped: it never got a seq, so it was never written or sent; it takes the lane's next one.
    const at = typeof seq === "number" ? seq : nextSeq;
    nextSeq = Math.max(nextSeq, at + 1);
    const record: OutboxRecord = { id, identity, clientId, seq: at, target: payload.target, retry: retry === "safe" ? "safe" : "unsafe",
      createdAt, payload: { ...sanitize(payload, id), courier: { v: 1, clientId, seq: at } } };
    // Stamped, and the lane's meta is gone (emptied and forgotten): it may have run; the server's store says.
    if (typeof seq === "number" && !meta) record.attempted = true;
    put.push(record);
  }
  if (put.length) await persistence.commit({ put, meta: { clientId, identity, nextSeq } });
  journalDrop(clientId, entries.map((entry) => entry.payload.id));
  logger.log("info", `outbox: ${put.length} of ${entries.length} journaled reflexes of client ${clientId} stored for adoption`);
}
