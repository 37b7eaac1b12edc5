// The server expects a seq we no longer hold (our storage lost it): the records from there on cannot
// go out under this clientId without a hole, and the server ran none of them, so they move to a fresh
// clientId and start again at seq 1 (PROTOCOL.md §5, gap).
import { mintId, rememberClient } from "./client-id.js";
import type { Context } from "./context.js";
import type { Lane } from "./entry.js";
import { tryLock } from "./locks.js";
import type { OutboxRecord } from "./store.js";

const restamp = (record: OutboxRecord, clientId: string, seq: number): OutboxRecord => ({
  ...record,
  clientId,
  seq,
  payload: { ...record.payload, courier: { v: 1, clientId, seq } },
});

/** Moves `lane`'s records with seq >= `from` to a fresh clientId; the fresh one becomes ours if `lane` was. */
export async function relocate(lane: Lane, from: number, ctx: Context): Promise<void> {
  const { ledger, persistence, logger } = ctx;
  if (lane.moving) return;
  lane.moving = true;
  const clientId = mintId();
  const lock = await tryLock(clientId);
  lane.moving = false;
  if (ctx.closed()) return lock?.release();

  // Read after the await: records allocated meanwhile move too.
  const moving = lane.entries.filter((entry) => entry.record.seq >= from);
  ledger.addLane(clientId, lock, lane.own);
  const records = moving.map((entry, i) => restamp(entry.record, clientId, i + 1));
  const nextSeq = records.length + 1;
  if (lane.own) {
    lane.own = false;
    ledger.nextSeq = nextSeq;
    rememberClient(ctx.identity, clientId);
  }
  logger.log("warn", `outbox: server lost seqs of ${lane.clientId}; ${records.length} reflexes move to ${clientId}`);

  const oldKeys = moving.map((entry) => ({ clientId: entry.record.clientId, seq: entry.record.seq }));
  moving.forEach((entry, i) => {
    entry.resend.cancel();
    ledger.detach(entry);
    entry.record = records[i];
    entry.writing++;
    ledger.insert(entry);
    ledger.emit(entry, "queued");
  });

  // One transaction: the old keys go and the new ones land together, so a reload never sees both.
  const meta = { clientId, identity: ctx.identity, nextSeq };
  await persistence.commit({ remove: oldKeys, put: records, meta }).then(
    () => moving.forEach((entry) => entry.writing--),
    (error) => moving.forEach((entry) => ledger.fail(entry, "storage", `could not store: ${String(error)}`)),
  );
  // Only now may the old client be forgotten: before, its meta is how a reload would find its records.
  if (!lane.entries.length) ledger.release(lane);
  ctx.delivery.pump();
}
