// Adopting the reflexes of closed tabs of the same identity (their Web Lock is free, or without Web Locks
// their heartbeat stopped): at load, on every subscription, after every heartbeat, and promptly, by
// queueing for the lock of each live tab we know of (PROTOCOL.md §5). An
// adopted lane is sent under its own clientId and seq; its lock is held until the lane is empty.
import type { Context } from "./context.js";
import { drainJournal } from "./journal-drain.js";
import { journalClients } from "./journal.js";
import { loadLane } from "./load.js";
import { locksSupported, waitLock, type HeldLock } from "./locks.js";
import { TabChannel } from "./tab-channel.js";

export class Adoption {
  /** Lock requests queued behind live tabs, by clientId. */
  private readonly watching = new Map<string, AbortController>();
  private readonly channel: TabChannel;
  private scanning: Promise<void> | undefined;

  constructor(private readonly ctx: Context) {
    const ownClientId = () => ctx.ledger.own?.clientId ?? "";
    this.channel = new TabChannel(ctx.identity, ownClientId, (clientId) => this.watch(clientId), ctx.logger);
  }

  /** Adoption needs IndexedDB (to share records) and Web Locks or heartbeats (to tell live tabs from closed ones). */
  private get enabled(): boolean {
    return this.ctx.persistence.durable && !this.ctx.closed();
  }

  /** Announces this tab to the others, once its clientId is settled (only Web Locks can be queued for). */
  start(): void {
    if (this.enabled && locksSupported()) this.channel.open();
  }

  /** Our own clientId changed: tabs queue for the new one too. */
  announce(): void {
    this.channel.announce("here");
  }

  /** Adopts every client of this identity whose tab is gone, and queues for those still open. */
  scan(): Promise<void> {
    this.scanning ??= this.scanOnce().finally(() => {
      this.scanning = undefined;
      this.ctx.delivery.pump();
    });
    return this.scanning;
  }

  /** Queues for `clientId`'s lock; when its tab closes, its reflexes are ours to send. */
  watch(clientId: string): void {
    if (!this.enabled || !locksSupported() || this.watching.has(clientId) || this.ctx.ledger.lanes.has(clientId)) return;
    const abort = new AbortController();
    this.watching.set(clientId, abort);
    void waitLock(clientId, abort.signal).then((lock) => {
      if (this.watching.get(clientId) === abort) this.watching.delete(clientId);
      if (lock) return this.adopt(clientId, lock);
    });
  }

  close(): void {
    this.channel.close();
    for (const abort of this.watching.values()) abort.abort();
    this.watching.clear();
  }

  private async scanOnce(): Promise<void> {
    const { ledger, persistence, logger, identity } = this.ctx;
    if (!this.enabled) return;
    try {
      // A page that went before any write landed left only its journal.
      const clients = new Set([...(await persistence.metas(identity)).map((meta) => meta.clientId), ...journalClients()]);
      for (const clientId of clients) {
        if (ledger.lanes.has(clientId) || this.watching.has(clientId)) continue;
        const lock = await this.ctx.heartbeat.claim(clientId);
        if (lock) await this.adopt(clientId, lock);
        else this.watch(clientId); // a live tab owns it (without Web Locks, the next beat looks again)
      }
    } catch (error) {
      logger.log("warn", "outbox: adopting reflexes of closed tabs failed", error);
    }
  }

  /** Runs under the lock: the tab that wrote these (and journaled them) is gone and no other tab can touch them now. */
  private async adopt(clientId: string, lock: HeldLock): Promise<void> {
    const { ledger, persistence, logger, identity } = this.ctx;
    try {
      if (this.ctx.closed() || ledger.lanes.has(clientId)) return lock.release();
      await drainJournal(clientId, this.ctx); // what its page accepted but never stored, first
      const meta = await persistence.getMeta(clientId);
      if (this.ctx.closed() || ledger.lanes.has(clientId) || meta?.identity !== identity) return lock.release();
      const lane = ledger.addLane(clientId, lock, false);
      await loadLane(lane, this.ctx);
      if (!lane.entries.length) ledger.release(lane);
      else logger.log("info", `outbox: adopted ${lane.entries.length} reflexes of closed client ${clientId}`);
    } catch (error) {
      logger.log("warn", `outbox: adopting client ${clientId} failed`, error);
      if (ledger.lanes.get(clientId)?.lock !== lock) lock.release();
    }
    this.ctx.delivery.pump();
  }
}
