// Filling a lane from storage (this tab's own client on open, or an adopted one), and forgetting what
// has waited too long for a user who has not come back.
import type { Context } from "./context.js";
import { maybeSent, type Lane } from "./entry.js";
import { locksSupported, tryLock } from "./locks.js";
import { refOf, type OutboxRecord, type RecordRef } from "./store.js";

/**
 * Reads a client's records into its lane. Those older than maxAge that were never sent are reported
 * expired at once; those that may have been sent wait until a connection can ask the server about them.
 * Records queued for another user (page identity, or the hello identity last seen) are left alone, and
 * deleted unsent once older than maxAge.
 */
export async function loadLane(lane: Lane, ctx: Context): Promise<void> {
  const { ledger, identity, maxAge, persistence, logger } = ctx;
  const [records, meta] = await Promise.all([persistence.records(lane.clientId), persistence.getMeta(lane.clientId)]);
  lane.attemptedThrough = Math.max(lane.attemptedThrough, meta?.attemptedThrough ?? 0);
  if (!lane.own && meta) lane.loadedMeta = meta;
  const now = Date.now();
  const stale: RecordRef[] = [];
  for (const record of records) {
    if (ledger.entry(record.id)) continue;
    const old = now - record.createdAt > maxAge;
    if (foreign(record, identity, ledger.helloIdentity) && old) {
      stale.push(refOf(record));
      continue;
    }
    if (record.identity !== identity) continue;
    if (record.seq <= lane.attemptedThrough) record.attempted = true; // an earlier page may have sent it
    const entry = ledger.createEntry(record, persistence.durable);
    ledger.insert(entry);
    // One stamped with a hello waits for this page's first hello (a fresh clientId knows no hello yet):
    // its user's page reports it expired, another user's deletes it unsent (pruneForeignOnHello).
    const undecided = record.helloIdentity !== undefined && ledger.helloIdentity === undefined;
    if (old && !maybeSent(entry) && !undecided) ledger.expire(entry);
  }
  if (stale.length) await persistence.commit({ remove: stale }).catch((error) => logger.log("warn", "outbox: pruning failed", error));
}

const foreign = (record: OutboxRecord, identity: string, helloIdentity: string | undefined): boolean =>
  record.identity !== identity ||
  (record.helloIdentity !== undefined && helloIdentity !== undefined && record.helloIdentity !== helloIdentity);

/** Deletes other identities' records older than maxAge, unsent: they hold form data and their user has not come back. */
export async function pruneOtherIdentities(ctx: Context): Promise<void> {
  const { persistence, identity, maxAge, logger } = ctx;
  if (!persistence.durable) return;
  try {
    for (const meta of await persistence.metas()) {
      if (meta.identity === identity || ctx.closed()) continue;
      const lock = await tryLock(meta.clientId);
      if (!lock && locksSupported()) continue; // a live tab of that identity looks after them
      try {
        const records = await persistence.records(meta.clientId);
        const now = Date.now();
        const stale = records.filter((record) => record.identity !== identity && now - record.createdAt > maxAge);
        if (!stale.length) continue;
        const dropMeta = lock && stale.length === records.length ? meta.clientId : undefined;
        await persistence.commit({ remove: stale.map(refOf), dropMeta });
        logger.log("info", `outbox: deleted ${stale.length} reflexes of another identity older than maxAge`);
      } finally {
        lock?.release();
      }
    }
  } catch (error) {
    logger.log("warn", "outbox: pruning other identities' reflexes failed", error);
  }
}

/** The first hello names this page's user: another user's reflexes older than maxAge go, unsent and unreported. */
export function pruneForeignOnHello(ctx: Context, helloIdentity: string): void {
  const { ledger, maxAge } = ctx;
  const now = Date.now();
  for (const lane of [...ledger.lanes.values()]) {
    for (const entry of [...lane.entries]) {
      const { helloIdentity: stamped, createdAt } = entry.record;
      if (stamped !== undefined && stamped !== helloIdentity && now - createdAt > maxAge && !maybeSent(entry)) ledger.drop(entry);
    }
  }
}
