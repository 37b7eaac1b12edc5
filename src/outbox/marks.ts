// The `attempted` mark, written to IndexedDB before a record first goes out: a later page then knows it
// may have run, so a plain server never gets it twice after a reload and an expired one asks the server
// before it is called expired. A record written while linked carries it from the start (no extra write).
import type { Entry, Lane } from "./entry.js";
import type { Ledger } from "./ledger.js";
import type { Persistence } from "./persistence.js";

/**
 * In IndexedDB without the mark: a later page could not tell that it may have run. (An expired record
 * never sent goes as a tombstone whose answer changes nothing: it needs none.)
 */
export const needsMark = (entry: Entry): boolean =>
  entry.persisted && entry.record.attempted !== true && !entry.markFailed && entry.tombstone !== "reported";

/**
 * Marks `entries` (queued, in seq order, of one lane) as attempted with one small write: the lane's
 * `attemptedThrough` in its client meta. `done` runs when it landed (or not).
 */
export function markAttempts(lane: Lane, entries: Entry[], ledger: Ledger, persistence: Persistence, done: () => void): void {
  lane.marking = true;
  const through = entries.reduce((max, entry) => Math.max(max, entry.record.seq), lane.attemptedThrough);
  const marked = entries.map((entry) => ({ entry, clientId: entry.record.clientId, seq: entry.record.seq }));
  persistence
    .commit({ meta: { ...laneMeta(lane, ledger), attemptedThrough: through } })
    .catch(() => false)
    .then((durable) => {
      if (durable && ledger.lanes.get(lane.clientId) === lane) lane.attemptedThrough = Math.max(lane.attemptedThrough, through);
      for (const { entry, clientId, seq } of marked) {
        // A relocation may have restamped it meanwhile; then it needs a mark of its own.
        if (!ledger.has(entry) || entry.record.clientId !== clientId || entry.record.seq !== seq) continue;
        if (durable) Object.assign(entry, { record: { ...entry.record, attempted: true }, markedHere: true });
        else entry.markFailed = true;
      }
    })
    .finally(() => {
      lane.marking = false;
      done();
    });
}

/** The lane's client meta as it stands, so writing the mark changes nothing else in it. */
function laneMeta(lane: Lane, ledger: Ledger) {
  if (lane.own) return ledger.meta(lane.clientId, ledger.nextSeq, true);
  const highest = lane.entries.reduce((max, entry) => Math.max(max, entry.record.seq), 0);
  return ledger.meta(lane.clientId, Math.max(lane.loadedMeta?.nextSeq ?? 0, highest + 1), false);
}
