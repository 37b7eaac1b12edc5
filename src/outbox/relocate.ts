// Records that cannot go out under their clientId any more move to a fresh one and start again at seq 1:
// the server expects a seq we no longer hold (gap), their seq was taken by another tab sharing the
// clientId (conflict), or the server is ahead of our counter or knows another user (hello). The server
// ran none of them under the fresh clientId, so sending them again there is safe (PROTOCOL.md §5).
import { mintId } from "./claims.js";
import type { Context } from "./context.js";
import type { Lane } from "./lane.js";
import type { Entry } from "./record.js";
import { refOf } from "./storage.js";

export interface Move {
  /** Which of the lane's entries move; asked after the lock is taken, so records allocated meanwhile count. */
  pick(entry: Entry): boolean;
  /** The own lane gets a fresh clientId even when nothing moves. */
  renew?: boolean;
  why: string;
}

/** Moves the picked entries of `lane` to a fresh clientId; the fresh one becomes ours if `lane` was. */
export async function relocate(lane: Lane, move: Move, ctx: Context): Promise<void> {
  const { ledger, logger } = ctx;
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

  const fresh = ledger.addLane(clientId, lock, own);
  const marked = (entry: Entry) => entry.state.mark === "here" || entry.state.mark === "earlier";
  const records = moving.map((entry, i) => fresh.restamp(entry.record, i + 1, marked(entry)));
  fresh.nextSeq = records.length + 1;
  if (own) {
    lane.own = false;
    ctx.ownChanged();
  }
  logger.log("warn", `outbox: ${move.why}; ${records.length} reflexes move from ${lane.clientId} to ${clientId}`);

  const oldKeys = moving.map((entry) => refOf(entry.record));
  moving.forEach((entry, i) => {
    entry.resend.cancel();
    lane.detach(entry);
    entry.record = records[i];
    ledger.insert(entry);
    ledger.step(entry, { type: "moved" });
  });

  // One transaction: the old keys go and the new ones land together, so a reload never sees both.
  await fresh.write({ remove: oldKeys, put: records }).then(
    (durable) => moving.forEach((entry) => ledger.has(entry) && ledger.step(entry, { type: "stored", durable }, true)),
    async (error) => {
      moving.forEach((entry) => ledger.fail(entry, "storage", `could not store: ${String(error)}`));
      // They are reported failed, so their old records must not outlive the failure to be adopted and
      // sent by a later page (issue 9 item 11). Deleting needs no quota.
      await ctx.persistence
        .commit({ remove: oldKeys })
        .catch((again) => logger.log("error", "outbox: could not delete reflexes reported failed", again));
    },
  );
  // Only now may the old client be forgotten: before, its meta is how a reload would find its records.
  if (!lane.entries.length) ledger.release(lane);
  ctx.delivery.pump();
}
