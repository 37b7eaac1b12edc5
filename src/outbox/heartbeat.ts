// Without Web Locks (plain-http pages, older browsers) nothing tells a live page's clientId from a closed
// one's, so each page beats for the clientIds it owns: a time written into their meta in IndexedDB every
// HEARTBEAT_INTERVAL. A clientId whose beat is older than ORPHANED_AFTER (three missed beats) is orphaned,
// and a page may claim it in one transaction that re-reads the beat, so two pages never both win it
// (PROTOCOL.md §5). With Web Locks the lock is the claim and no beat is written.
import type { Logger } from "../core/logger.js";
import { Timer } from "../core/timer.js";
import { mintId } from "./client-id.js";
import { locksSupported, tryLock, type HeldLock } from "./locks.js";
import type { Persistence } from "./persistence.js";

/** How often a page rewrites the beat of each clientId it owns, in ms. */
export const HEARTBEAT_INTERVAL = 2000;
/** How old a beat may be before its clientId counts as orphaned: three missed beats. */
export const ORPHANED_AFTER = 3 * HEARTBEAT_INTERVAL;

/** The time beats are written and judged by; tests move it instead of sleeping. */
export const clock = { now: (): number => Date.now() };

export class Heartbeat {
  /** Who holds a claim: this page, not its clientId (an adopted lane is held under another one). */
  readonly pageId = mintId();
  private readonly held = new Set<string>();
  private readonly heartbeatTimer = new Timer(() => void this.beat());
  private stopped = false;

  constructor(
    private readonly identity: string,
    private readonly persistence: Persistence,
    private readonly logger: Logger,
    /** Called with the clientIds another page claimed from us (our beats were late), then after every beat. */
    private readonly afterBeat: (lost: string[]) => void,
  ) {}

  /** The lane is ours until released: its Web Lock, or, without Web Locks, a won heartbeat claim. */
  async claim(clientId: string): Promise<HeldLock | null> {
    if (locksSupported()) return tryLock(clientId);
    if (!this.persistence.durable || this.stopped) return null;
    const won = await this.persistence.claim({ clientId, identity: this.identity, by: this.pageId, now: clock.now(), staleAfter: ORPHANED_AFTER });
    if (!won) return null;
    this.held.add(clientId);
    if (!this.heartbeatTimer.pending) this.heartbeatTimer.schedule(HEARTBEAT_INTERVAL);
    return { release: () => this.release(clientId) };
  }

  stop(): void {
    this.stopped = true;
    this.heartbeatTimer.cancel();
  }

  private release(clientId: string): void {
    if (!this.held.delete(clientId)) return;
    // Best effort: if the page goes before this lands, the beat simply goes stale.
    this.persistence.unclaim(clientId, this.pageId).catch((error) => this.logger.log("warn", "outbox: could not release a heartbeat", error));
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    let lost: string[] = [];
    try {
      lost = await this.persistence.beat([...this.held], this.pageId, clock.now());
    } catch (error) {
      this.logger.log("warn", "outbox: writing the heartbeat failed", error);
    }
    for (const clientId of lost) this.held.delete(clientId);
    if (this.stopped) return;
    this.heartbeatTimer.schedule(HEARTBEAT_INTERVAL);
    this.afterBeat(lost);
  }
}
