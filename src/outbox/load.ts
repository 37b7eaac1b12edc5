// Filling lanes from storage: this tab's own records on open, and the records of closed tabs of the
// same identity (their Web Lock is free), which this tab then sends under their own clientId and seq.
import type { Context } from "./context.js";
import type { Lane } from "./entry.js";
import { locksSupported, tryLock } from "./locks.js";

/** Reads a client's records into its lane; those older than maxAge are reported expired at once. */
export async function loadLane(lane: Lane, ctx: Context): Promise<void> {
  const { ledger, identity, maxAge } = ctx;
  const records = await ctx.persistence.records(lane.clientId);
  const now = Date.now();
  for (const record of records) {
    if (record.identity !== identity || ledger.entry(record.id)) continue;
    const entry = ledger.createEntry(record);
    ledger.insert(entry);
    if (now - record.createdAt > maxAge) ledger.expire(entry);
  }
}

/** Adopts every client of this identity that no live tab holds. Records of other identities wait for their user. */
export async function adoptOrphans(ctx: Context): Promise<void> {
  const { ledger, persistence, logger } = ctx;
  if (!locksSupported() || !persistence.durable) return;
  try {
    for (const meta of await persistence.metas(ctx.identity)) {
      if (ledger.lanes.has(meta.clientId)) continue;
      const lock = await tryLock(meta.clientId);
      if (!lock) continue; // a live tab owns it
      if (ctx.closed() || ledger.lanes.has(meta.clientId)) {
        lock.release();
        continue;
      }
      // Read under the lock: the tab that wrote these is gone and no other tab can touch them now.
      const lane = ledger.addLane(meta.clientId, lock, false);
      await loadLane(lane, ctx);
      if (!lane.entries.length) ledger.release(lane);
      else logger.log("info", `outbox: adopted ${lane.entries.length} reflexes of closed client ${meta.clientId}`);
    }
  } catch (error) {
    logger.log("warn", "outbox: adopting reflexes of closed tabs failed", error);
  }
}
