// The wire vocabulary shared by the client and the reference server. Types only: no DOM, no I/O.
// docs/PROTOCOL.md is the prose version of this file; keep the two in step.

/** What `<html data-cable-state>` says and `courier.state` returns. */
/** `refused`: the server said not to come back (a `disconnect` with `reconnect: false`, a rejected subscription). */
export type CableState = "connecting" | "connected" | "disconnected" | "offline" | "refused";

/** The life of one reflex, in order; `committed` and `failed` are terminal. */
export type Stage = "queued" | "sent" | "received" | "committed" | "failed";

/** Why a reflex promise rejected; apps branch on this, never on the message. */
export type FailureReason = "failed" | "uncertain" | "expired" | "outbox-full" | "storage";

/** One stage change of one reflex: the detail of `courier:<stage>` events. */
export interface StageDetail {
  id: string;
  target: string;
  clientId: string;
  /** 0 when the reflex was refused before it got a seq (outbox-full, unusable payload). */
  seq: number;
  stage: Stage;
  reason?: FailureReason;
  error?: string;
}

// ---- ActionCable JSON protocol (actioncable-v1-json) ----

export type ServerFrame =
  | { type: "welcome"; sid?: string }
  | { type: "ping"; message: number }
  | { type: "confirm_subscription"; identifier: string }
  | { type: "reject_subscription"; identifier: string }
  | { type: "disconnect"; reason?: string; reconnect?: boolean }
  | { identifier: string; message: unknown };

export type ClientCommand =
  | { command: "subscribe"; identifier: string }
  | { command: "unsubscribe"; identifier: string }
  | { command: "message"; identifier: string; data: string };

// ---- The reflex payload: StimulusReflex 3.5's keys, plus `courier` ----

export interface Dataset {
  dataset: Record<string, string>;
  datasetAll: Record<string, string[]>;
}

export interface CourierStamp {
  v: 1;
  clientId: string;
  seq: number;
  /** A tombstone: the reflex expired before it was sent; the server advances its seq without running it. */
  void?: true;
}

export interface ReflexPayload {
  target: string;
  args: unknown[];
  id: string;
  url: string;
  attrs: Record<string, unknown>;
  dataset: Dataset;
  selectors: string[];
  formData: string;
  permanentAttributeName: string;
  tabId: string;
  version: string;
  reflexController: string;
  inner_html: string;
  text_content: string;
  resolveLate: boolean;
  suppressLogging: boolean;
  xpathController: string;
  xpathElement: string;
  params: Record<string, unknown>;
  courier?: CourierStamp;
}

// ---- CableReady operations ----

export interface Operation {
  operation: string;
  selector?: string;
  reflexId?: string;
  [key: string]: unknown;
}

export interface CableReadyEnvelope {
  cableReady: true;
  operations: Operation[];
  version?: string;
}

// ---- The acknowledgement extension (server -> client, inside `message`) ----

export type AckKind = "received" | "committed" | "failed" | "gap" | "conflict";

export interface CourierAck {
  v: 1;
  ack: AckKind;
  id: string;
  clientId: string;
  seq: number;
  /** `failed`: a human-readable reason. */
  error?: string;
  /** `committed`: the operations the reflex produced (also on a duplicate, from the stored result). */
  operations?: Operation[];
  /** `gap`: the seq the server expects next for this clientId; resend from there. */
  expected?: number;
  /** `committed`: answered from the server's stored result, not a fresh run (the reflex ran earlier). */
  replay?: true;
  /** `committed`: the seq is at or below the last one but its result was pruned: no operations, and the client cannot tell what ran. */
  pruned?: true;
}
// `conflict`: this clientId's seq was already used by a reflex with another id (two tabs shared a clientId);
// nothing ran for this one. The client moves it, and its lane's later records, to a fresh clientId.

export interface CourierHello {
  v: 1;
  hello: true;
  /** clientId -> last committed seq (0 when the server has never seen it). */
  committed: Record<string, number>;
  /**
   * An opaque name for the connection's user (e.g. an HMAC of the user id), when the server knows one.
   * The client stamps records with the last one it saw and never sends a record stamped with another.
   */
  identity?: string;
}

/** What arrives in a subscription's `received`, once validated. */
export type InboundMessage =
  | { kind: "ack"; ack: CourierAck }
  /** A batch (PROTOCOL.md §3), already expanded into the per-reflex acks it stands for, in order. */
  | { kind: "batch"; acks: CourierAck[] }
  | { kind: "hello"; hello: CourierHello }
  | { kind: "operations"; envelope: CableReadyEnvelope }
  | { kind: "unknown"; data: unknown };

/** Identifier params for the reflex channel subscription. */
export interface ChannelParams {
  channel: string;
  /** Present when the client speaks the extension. */
  courier?: 1;
  /** This tab's clientId; the server's hello reports its last committed seq. */
  clientId?: string;
  /** `"batch"`: the client reads batched acknowledgements (PROTOCOL.md §3); absent: one message per ack. */
  courierAcks?: "batch";
  [key: string]: unknown;
}
