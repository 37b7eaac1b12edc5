// One lane per clientId this tab sends under: its records in seq order, its lock, its meta and its writes.
// Every write of a lane carries the lane's meta, merged with the stored one inside the transaction
// (`mergeMeta`), so nothing is written from a stale in-memory copy; IndexedDB (and the memory store)
// run a lane's transactions in the order they were made, which is the lane's write queue.
import type { HeldLock } from "./claims.js";
import { journalRemove, journalStamp } from "./journal.js";
import type { Ledger } from "./ledger.js";
import type { Entry } from "./record.js";
import type { ClientMeta, Change, OutboxRecord } from "./storage.js";

export class Lane {
  /** Its records, in seq order (which is acceptance order). */
  readonly entries: Entry[] = [];
  /** The seq the next record of this client gets (own lane), or past the highest it holds. */
  nextSeq = 1;
  /** The durable `attempted` mark: every seq up to this one may have been sent. */
  attemptedThrough = 0;
  /** Relocations of this lane in progress; nothing of it is sent meanwhile. */
  moving = 0;
  /** The `expected` of the last gap acted on, so a burst of gap acks triggers one resend. */
  gapExpected?: number;
  /** An `attempted` mark is being written. */
  marking = false;
  /** Records of this task waiting for their one transaction. */
  private _batch: Entry[] | undefined;

  constructor(
    readonly clientId: string,
    public lock: HeldLock | null,
    /** The lane new reflexes join; never released. Other lanes are adopted or relocated ones. */
    public own: boolean,
    private readonly _ledger: Ledger,
  ) {}

  /** Files the entry in seq order (in memory only). */
  insert(entry: Entry): void {
    const at = this.entries.findIndex((other) => other.record.seq > entry.record.seq);
    this.entries.splice(at < 0 ? this.entries.length : at, 0, entry);
  }

  detach(entry: Entry): void {
    const at = this.entries.indexOf(entry);
    if (at >= 0) this.entries.splice(at, 1);
  }

  /**
   * The client meta as this lane knows it; the own lane's carries the tab's last hello identity. Its
   * `nextSeq` stops at the first record of this task's batch: that batch's transaction is issued at the end
   * of the task, so a write made before then lands first, and a journal drain after a crash would take
   * a click the meta named for landed (`drainJournal`) while its record never was.
   */
  meta(nextSeq = this._batch?.[0]?.record.seq ?? this.nextSeq): ClientMeta {
    const meta: ClientMeta = { clientId: this.clientId, identity: this._ledger.identity, nextSeq };
    const { helloIdentity } = this._ledger;
    if (this.own && helloIdentity !== undefined) meta.helloIdentity = helloIdentity;
    if (this.attemptedThrough) meta.attemptedThrough = this.attemptedThrough;
    return meta;
  }

  /** One transaction of this lane, with its meta (`nextSeq` as of the records in it). True = in IndexedDB. */
  write(change: Omit<Change, "meta" | "dropMeta">, meta: ClientMeta = this.meta()): Promise<boolean> {
    return this._ledger.persistence.commit({ ...change, meta });
  }

  /**
   * Files the entry `make` builds with this lane's next seq, and stores it with the other records of the
   * same task in one transaction (a transaction per click would queue behind each other).
   */
  append(make: (seq: number) => Entry): Entry {
    const entry = make(this.nextSeq++);
    journalStamp(entry.record.id, this.clientId, entry.record.seq);
    this._ledger.insert(entry);
    if (!this._batch) {
      const batch: Entry[] = (this._batch = []);
      queueMicrotask(() => {
        this._batch = undefined;
        this._store(batch);
      });
    }
    this._batch.push(entry);
    return entry;
  }

  private _store(entries: Entry[]): void {
    const ledger = this._ledger;
    const first = entries[0].record.seq;
    const last = entries[entries.length - 1].record.seq;
    // The counter lives in memory because this tab owns the client; the meta is for the next page.
    this.write({ put: entries.map((entry) => entry.record) }, this.meta(last + 1))
      .then(
        (durable) => {
          for (const entry of entries) {
            // In IndexedDB now (or in memory only, where a later page must not run it again from here).
            journalRemove(entry.record.id);
            if (ledger.has(entry)) ledger.step(entry, { type: "stored", durable });
          }
        },
        (error) => {
          if (this.own && this.nextSeq === last + 1) this.nextSeq = first; // no hole when they were the last
          for (const entry of entries) {
            journalRemove(entry.record.id);
            ledger.fail(entry, "storage", `storage is full: ${String(error)}`);
          }
        },
      )
      .finally(() => ledger.wake());
  }

  /**
   * Marks `entries` (queued, in seq order) as attempted with one small write: `attemptedThrough` in the
   * lane's meta, never a rewrite of each record. Then a later page knows they may have run, so a plain
   * server never gets one twice after a reload, and an expired one asks the server before it is called expired.
   */
  mark(entries: Entry[]): void {
    const ledger = this._ledger;
    this.marking = true;
    const through = entries.reduce((max, entry) => Math.max(max, entry.record.seq), this.attemptedThrough);
    const marked = entries.map((entry) => ({ entry, clientId: entry.record.clientId, seq: entry.record.seq }));
    this.write({}, { ...this.meta(), attemptedThrough: through })
      .catch(() => false)
      .then((durable) => {
        // Unless the lane was released, abandoned or replaced meanwhile.
        if (durable && ledger.lanes.get(this.clientId) === this) this.attemptedThrough = Math.max(this.attemptedThrough, through);
        for (const { entry, clientId, seq } of marked) {
          // A relocation may have restamped it meanwhile; then it needs a mark of its own.
          if (!ledger.has(entry) || entry.record.clientId !== clientId || entry.record.seq !== seq) continue;
          ledger.step(entry, { type: "marked", durable }, true);
        }
      })
      .finally(() => {
        this.marking = false;
        ledger.wake();
      });
  }

  /** A fresh copy of `record` under this lane at `seq`, carrying the attempted mark when it has one. */
  restamp(record: OutboxRecord, seq: number, marked: boolean): OutboxRecord {
    const { attempted: _old, ...rest } = record;
    const { clientId } = this;
    return { ...rest, clientId, seq, payload: { ...record.payload, courier: { v: 1, clientId, seq } }, ...(marked && { attempted: true as const }) };
  }
}
