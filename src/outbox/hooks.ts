// The outbox's public vocabulary: its options, the hooks the courier hands it, and what it sends.
import type { Logger } from "../core/logger.js";
import type { CourierStamp, Operation, ReflexPayload, StageDetail } from "../protocol/types.js";

export interface OutboxOptions {
  /** Whose reflexes these are; records of another identity are never sent. */
  identity: string;
  /** Default 24 h: older reflexes are not run (they fail with `expired`). */
  maxAge?: number;
  /** Default 1000 pending reflexes; beyond it enqueue fails with `outbox-full`. */
  maxQueue?: number;
  /** Default 10 s: no `received` by then → send again (extension mode). */
  ackTimeout?: number;
  /**
   * Default 60 s: `received` but no `committed` or `failed` by then → send again (extension mode; the
   * server deduplicates). Covers a server that lost a reflex mid-run without closing the socket.
   */
  commitTimeout?: number;
  /**
   * The URL of the page now shown. A committed reflex's operations are applied only when its payload was
   * made for this URL (and it ran fresh, PROTOCOL.md §5); otherwise `stale` hears of it. Default:
   * `location.href` where there is one, else every URL counts as this page's.
   */
  pageUrl?: () => string;
  /** Default 32: reflexes in flight per clientId. */
  window?: number;
  /** Default 1: reflexes in flight per clientId against a plain server (it may run them out of order). */
  plainWindow?: number;
  /** Default 30 s: a reflex a plain server has not answered by then fails as `uncertain` (never resent). */
  answerTimeout?: number;
  /** Default "indexeddb" (falls back to memory on its own when IndexedDB fails). */
  storage?: "indexeddb" | "memory";
  logger?: Logger;
}

/** An expired reflex's stand-in: the server consumes its seq without running anything (PROTOCOL.md §2). */
export interface ReflexTombstone {
  id: string;
  target: string;
  courier: CourierStamp & { void: true };
}

export type OutboundReflex = ReflexPayload | ReflexTombstone;

export type { StageDetail };

/** Why a committed reflex's operations were not applied to the page now shown. */
export type StaleReason = "replay" | "pruned" | "url";

/** A committed reflex whose effect the page may not show (the detail of `courier:stale`). */
export interface StaleReflex {
  id: string;
  target: string;
  clientId: string;
  seq: number;
  /** The URL its payload was made for. */
  url: string;
  reason: StaleReason;
}

export interface OutboxHooks {
  /** transport.send; false = not sent (the record stays queued). */
  send(payload: OutboundReflex): boolean;
  /** Every stage change, for DOM marks and events. */
  stage(detail: StageDetail): void;
  /**
   * The operations of a reflex committed through an ack that ran fresh for this page's URL (plain-mode
   * envelopes the courier applies itself), even when an earlier page made it.
   */
  apply(operations: Operation[]): void;
  /**
   * Committed reflexes whose operations were not applied (answered from the server's store, pruned, or
   * made for another URL): the page may not show their effect. Batched per task.
   */
  stale(reflexes: StaleReflex[]): void;
  pendingChanged(count: number): void;
  /** IndexedDB failed (reflexes are now kept in memory only) or localStorage refused the journal. Called at most once. */
  storageDegraded(error: unknown): void;
}
