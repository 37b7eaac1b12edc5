// Adopting the reflexes of closed tabs of the same identity (their Web Lock is free, or without Web Locks
// their heartbeat stopped): at load, on every subscription, after every heartbeat, and promptly, by
// queueing for the lock of each live tab we know of, which tabs announce on a BroadcastChannel
// (PROTOCOL.md §5). An adopted lane is sent under its own clientId and seq; its lock is held until the
// lane is empty. Also forgetting what has waited too long for a user who has not come back.
import type { Logger } from "../core/logger.js";
import { locksSupported, tryLock, waitLock, type HeldLock } from "./claims.js";
import type { Context } from "./context.js";
import { drainJournal, journalClients } from "./journal.js";
import type { Lane } from "./lane.js";
import { loadedState, mayHaveRun } from "./record.js";
import { refOf, type OutboxRecord, type RecordRef } from "./storage.js";

export class Adoption {
  /** Lock requests queued behind live tabs, by clientId. */
  private readonly _watching = new Map<string, AbortController>();
  private readonly _channel: TabChannel;
  private _scanning: Promise<void> | undefined;

  constructor(private readonly _ctx: Context) {
    const ownClientId = () => this._ctx.ledger.own?.clientId ?? "";
    this._channel = new TabChannel(this._ctx.identity, ownClientId, (clientId) => this.watch(clientId), this._ctx.logger);
  }

  /** Adoption needs IndexedDB (to share records) and Web Locks or heartbeats (to tell live tabs from closed ones). */
  private get _enabled(): boolean {
    return this._ctx.persistence.durable && !this._ctx.closed();
  }

  /** Announces this tab to the others, once its clientId is settled (only Web Locks can be queued for). */
  start(): void {
    if (this._enabled && locksSupported()) this._channel.open();
  }

  /** Our own clientId changed: tabs queue for the new one too. */
  announce(): void {
    this._channel.announce("here");
  }

  /** Adopts every client of this identity whose tab is gone, and queues for those still open. */
  scan(): Promise<void> {
    this._scanning ??= this._scanOnce().finally(() => {
      this._scanning = undefined;
      this._ctx.delivery.pump();
    });
    return this._scanning;
  }

  /** Queues for `clientId`'s lock; when its tab closes, its reflexes are ours to send. */
  watch(clientId: string): void {
    if (!this._enabled || !locksSupported() || this._watching.has(clientId) || this._ctx.ledger.lanes.has(clientId)) return;
    const abort = new AbortController();
    this._watching.set(clientId, abort);
    void waitLock(clientId, abort.signal).then((lock) => {
      if (this._watching.get(clientId) === abort) this._watching.delete(clientId);
      if (lock) return this._adopt(clientId, lock);
    });
  }

  close(): void {
    this._channel.close();
    for (const abort of this._watching.values()) abort.abort();
    this._watching.clear();
  }

  private async _scanOnce(): Promise<void> {
    const { ledger, persistence, logger, identity } = this._ctx;
    if (!this._enabled) return;
    try {
      // A page that went before any write landed left only its journal.
      const clients = new Set([...(await persistence.metas(identity)).map((meta) => meta.clientId), ...journalClients()]);
      for (const clientId of clients) {
        if (ledger.lanes.has(clientId) || this._watching.has(clientId)) continue;
        const lock = await this._ctx.heartbeat.claim(clientId);
        if (lock) await this._adopt(clientId, lock);
        else this.watch(clientId); // a live tab owns it (without Web Locks, the next beat looks again)
      }
    } catch (error) {
      logger.log("warn", "outbox: adopting reflexes of closed tabs failed", error);
    }
  }

  /** Runs under the lock: the tab that wrote these (and journaled them) is gone and no other tab can touch them now. */
  private async _adopt(clientId: string, lock: HeldLock): Promise<void> {
    const { ledger, persistence, logger, identity } = this._ctx;
    try {
      if (this._ctx.closed() || ledger.lanes.has(clientId)) return lock.release();
      await drainJournal(clientId, this._ctx); // what its page accepted but never stored, first
      const meta = await persistence.getMeta(clientId);
      if (this._ctx.closed() || ledger.lanes.has(clientId) || meta?.identity !== identity) return lock.release();
      const lane = ledger.addLane(clientId, lock, false);
      await this._load(lane);
      if (!lane.entries.length) ledger.release(lane);
      else logger.log("info", `outbox: adopted ${lane.entries.length} reflexes of closed client ${clientId}`);
    } catch (error) {
      logger.log("warn", `outbox: adopting client ${clientId} failed`, error);
      if (ledger.lanes.get(clientId)?.lock !== lock) lock.release();
    }
    this._ctx.delivery.pump();
  }

  /**
   * Reads a client's records into its lane. Those older than maxAge that never ran are reported expired
   * at once; those that may have run wait until a connection can ask the server about them. Records
   * queued for another user (page identity, or the hello identity last seen) are left alone, and deleted
   * unsent once older than maxAge.
   */
  private async _load(lane: Lane): Promise<void> {
    const { ledger, identity, maxAge, persistence, logger } = this._ctx;
    const [records, meta] = await Promise.all([persistence.records(lane.clientId), persistence.getMeta(lane.clientId)]);
    lane.attemptedThrough = Math.max(lane.attemptedThrough, meta?.attemptedThrough ?? 0);
    // Its counter as stored, so writing the mark keeps it.
    lane.nextSeq = records.reduce((max, record) => Math.max(max, record.seq + 1), meta?.nextSeq ?? 0);
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
      const entry = ledger.createEntry(record, loadedState(record, persistence.durable));
      ledger.insert(entry);
      // One stamped with a hello waits for this page's first hello (a fresh clientId knows no hello yet):
      // its user's page reports it expired, another user's deletes it unsent (inbound.ts).
      const undecided = record.helloIdentity !== undefined && ledger.helloIdentity === undefined;
      if (old && !mayHaveRun(entry.state) && !undecided) ledger.expire(entry);
    }
    if (stale.length) await persistence.commit({ remove: stale }).catch((error) => logger.log("warn", "outbox: pruning failed", error));
  }
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

// Tabs announce their clientId on a BroadcastChannel, so a tab already open can queue for the Web Lock
// of a tab opened after it and adopt its reflexes the moment it closes. Feature-detected: without it,
// tabs still learn of each other from the client metas in IndexedDB when they load or reconnect.
export const CHANNEL_NAME = "cable-courier";

interface Announcement {
  /** `start`: a tab just opened (others answer `here`); `here`: a tab's current clientId. */
  kind: "start" | "here";
  identity: string;
  clientId: string;
}

const isAnnouncement = (data: unknown): data is Announcement => {
  const value = data as Partial<Announcement> | null;
  return (
    typeof value === "object" && value !== null && (value.kind === "start" || value.kind === "here") &&
    typeof value.identity === "string" && typeof value.clientId === "string" && value.clientId.length > 0 && value.clientId.length <= 100
  );
};

class TabChannel {
  private _channel: BroadcastChannel | undefined;

  constructor(
    private readonly _identity: string,
    private readonly _ownClientId: () => string,
    private readonly _heard: (clientId: string) => void,
    private readonly _logger: Logger,
  ) {}

  open(): void {
    if (this._channel || typeof BroadcastChannel !== "function") return;
    try {
      this._channel = new BroadcastChannel(CHANNEL_NAME);
    } catch (error) {
      return this._logger.log("debug", "outbox: no BroadcastChannel; tabs learn of each other on load only", error);
    }
    this._channel.onmessage = (event: MessageEvent) => this._receive(event.data);
    this.announce("start");
  }

  announce(kind: Announcement["kind"] = "here"): void {
    const clientId = this._ownClientId();
    if (!this._channel || !clientId) return;
    try {
      this._channel.postMessage({ kind, identity: this._identity, clientId } satisfies Announcement);
    } catch (error) {
      this._logger.log("debug", "outbox: could not announce our clientId", error);
    }
  }

  close(): void {
    this._channel?.close();
    this._channel = undefined;
  }

  private _receive(data: unknown): void {
    // Another identity's tabs are not ours to adopt from; anything malformed is not from a courier.
    if (!isAnnouncement(data) || data.identity !== this._identity) return;
    this._heard(data.clientId);
    if (data.kind === "start") this.announce("here");
  }
}
