// Records that cannot go out under their clientId any more move to a fresh one and start again at seq 1:
// the server expects a seq we no longer hold (gap), their seq was taken by another tab sharing the
// clientId (conflict), or the server is ahead of our counter or knows another user (hello). The server
// ran none of them under the fresh clientId, so sending them again there is safe (PROTOCOL.md §5).
import { mintId } from "./client-id.js";
import type { Context } from "./context.js";
import type { Entry, Lane } from "./entry.js";
import { refOf, type OutboxRecord } from "./store.js";

export interface Move {
  /** Which of the lane's entries move; asked after the lock is taken, so records allocated meanwhile count. */
  pick(entry: Entry): boolean;
  /** The own lane gets a fresh clientId even when nothing moves. */
  renew?: boolean;
  why: string;
}

const restamp = (record: OutboxRecord, clientId: string, seq: number): OutboxRecord => ({
  ...record,
  clientId,
  seq,
  payload: { ...record.payload, courier: { v: 1, clientId, seq } },
});

/** Moves the picked entries of `lane` to a fresh clientId; the fresh one becomes ours if `lane` was. */
export async function relocate(lane: Lane, move: Move, ctx: Context): Promise<void> {
  const { ledger, persistence, logger } = ctx;
  lane.moving++;
  const clientId = mintId();
  const lock = await ctx.heartbeat.claim(clientId);
  lane.moving--;
  if (ctx.closed()) return lock?.release();
  const moving = lane.entries.filter((entry) => move.pick(entry));
  const own = lane.own && (moving.length > 0 || move.renew === true);
  if (!moving.length && !own) {
    lock?.release();
    return ctx.delivery.pump();
  }

  ledger.addLane(clientId, lock, own);
  const records = moving.map((entry, i) => restamp(entry.record, clientId, i + 1));
  const nextSeq = records.length + 1;
  if (own) {
    lane.own = false;
    ledger.nextSeq = nextSeq;
    ctx.ownChanged();
  }
  logger.log("warn", `outbox: ${move.why}; ${records.length} reflexes move from ${lane.clientId} to ${clientId}`);

  const oldKeys = moving.map((entry) => refOf(entry.record));
  moving.forEach((entry, i) => {
    entry.resend.cancel();
    ledger.detach(entry);
    entry.record = records[i];
    entry.writing++;
    ledger.insert(entry);
    ledger.emit(entry, "queued");
  });

  // One transaction: the old keys go and the new ones land together, so a reload never sees both.
  await persistence.commit({ remove: oldKeys, put: records, meta: ledger.meta(clientId, nextSeq, own) }).then(
    (durable) =>
      moving.forEach((entry) => {
        entry.writing--;
        entry.persisted = durable;
      }),
    async (error) => {
      moving.forEach((entry) => ledger.fail(entry, "storage", `could not store: ${String(error)}`));
      // They are reported failed, so their old records must not outlive the failure to be adopted and
      // sent by a later page (issue 9 item 11). Deleting needs no quota.
      await persistence
        .commit({ remove: oldKeys })
        .catch((again) => logger.log("error", "outbox: could not delete reflexes reported failed", again));
    },
  );
  // Only now may the old client be forgotten: before, its meta is how a reload would find its records.
  if (!lane.entries.length) ledger.release(lane);
  ctx.delivery.pump();
}
