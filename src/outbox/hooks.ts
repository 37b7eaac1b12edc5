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
   * The page's `tabId` (the one its payloads carry). A committed ack's operations are applied only to
   * reflexes of this page; those replayed after a reload or adopted from a closed tab commit silently.
   * Default: the tabIds of the payloads enqueued through this Outbox.
   */
  tabId?: string;
  /** Default 32: reflexes in flight per clientId. */
  window?: number;
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

export interface OutboxHooks {
  /** transport.send; false = not sent (the record stays queued). */
  send(payload: OutboundReflex): boolean;
  /** Every stage change, for DOM marks and events. */
  stage(detail: StageDetail): void;
  /**
   * The operations of a reflex of this page committed through an ack (plain-mode envelopes the courier
   * applies itself). Not called for reflexes made by another page (replayed or adopted).
   */
  apply(operations: Operation[]): void;
  pendingChanged(count: number): void;
  /** IndexedDB failed; reflexes are now kept in memory only. Called at most once. */
  storageDegraded(error: unknown): void;
}
