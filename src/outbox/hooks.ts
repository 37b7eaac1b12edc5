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
  /** The operations of a reflex committed through an ack (plain-mode envelopes the courier applies itself). */
  apply(operations: Operation[]): void;
  pendingChanged(count: number): void;
  /** IndexedDB failed; reflexes are now kept in memory only. Called at most once. */
  storageDegraded(error: unknown): void;
}
