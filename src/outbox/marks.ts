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

/** Marks `entries` in one transaction, holding the lane meanwhile; `done` runs when it landed (or not). */
export function markAttempts(lane: Lane, entries: Entry[], ledger: Ledger, persistence: Persistence, done: () => void): void {
  lane.marking = true;
  const records = entries.map((entry) => ({ ...entry.record, attempted: true as const }));
  persistence
    .commit({ put: records })
    .catch(() => false)
    .then((durable) =>
      entries.forEach((entry, i) => {
        // A relocation may have restamped it meanwhile; then it needs a mark of its own.
        if (!ledger.has(entry) || entry.record.clientId !== records[i].clientId || entry.record.seq !== records[i].seq) return;
        if (durable) Object.assign(entry, { record: records[i], markedHere: true });
        else entry.markFailed = true;
      }),
    )
    .finally(() => {
      lane.marking = false;
      done();
    });
}
