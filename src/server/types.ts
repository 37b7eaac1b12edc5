// The public vocabulary of the reference server: options, reflex handlers and what tests observe.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { LoggerOption } from "../core/logger.js";
import type { Operation, ReflexPayload } from "../protocol/types.js";
import type { CourierStore } from "./store.js";

/** A reflex payload after validation: the keys the server relies on are checked, the rest is as sent. */
export type InboundReflex = Partial<ReflexPayload> & Pick<ReflexPayload, "target" | "id" | "args"> & Record<string, unknown>;

export interface ReflexContext {
  target: string;
  args: unknown[];
  id: string;
  /** The courier stamp's clientId and seq; undefined for a plain StimulusReflex reflex. */
  clientId: string | undefined;
  seq: number | undefined;
  /** The store key this reflex commits under ((user, clientId), see `clientKey`); undefined when plain. */
  clientKey: string | undefined;
  payload: InboundReflex;
  /** Whatever `authenticate` returned for this connection (undefined without `authenticate`). */
  identity: unknown;
  connectionId: number;
}

/** Runs one reflex. Returning nothing means "no operations"; a throw is the reflex's error. */
export type ReflexHandler = (context: ReflexContext) => Operation[] | void | Promise<Operation[] | void>;

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export type ReflexEventType =
  | "received" // stage 1 sent; the handler is about to run
  | "committed" // ran, stored, answered
  | "failed" // handler error, unknown target, tombstone, or invalid payload
  | "duplicate" // seq <= last, same reflex id: answered from the store without running
  | "conflict" // seq <= last, but another reflex id ran under it: answered `conflict` without running
  | "gap" // seq ahead of the store after waiting `gapWait`: answered with `expected`
  | "plain"; // a reflex without the extension, answered with CableReady operations only

export interface ReflexEvent {
  type: ReflexEventType;
  connectionId: number;
  id?: string;
  target?: string;
  clientId?: string;
  seq?: number;
  expected?: number;
  error?: string;
  operations?: Operation[];
}

export interface ServerStats {
  connectionsOpened: number;
  connectionsClosed: number;
  /** Handler invocations per target ("Class#method"); a duplicate never counts. */
  handlerRuns: Record<string, number>;
  committed: number;
  failed: number;
  duplicates: number;
  /** Duplicate seqs whose stored result belongs to another reflex id (two tabs sharing a clientId). */
  conflicts: number;
  gaps: number;
  plain: number;
  /** Frames or payloads dropped or refused as malformed. */
  invalid: number;
}

export interface ServerOptions {
  /** "Class#method" → handler. An unknown target fails. */
  reflexes?: Record<string, ReflexHandler>;
  /** Dedup state per (user, clientId); hand the same store to a new server to model a restart. Default: a new MemoryStore. */
  store?: CourierStore;
  /** WebSocket mount path. Default "/cable". */
  path?: string;
  /** The reflex channel's name. Default "StimulusReflex::Channel". */
  channel?: string;
  /** false = behave as an unmodified StimulusReflex server: no hello, no acks. Default true. */
  extension?: boolean;
  /** A folder served for GET/HEAD; "/" serves index.html. */
  static?: string;
  /** Extra HTTP endpoints by exact pathname, tried before static files. */
  routes?: Record<string, RouteHandler>;
  /**
   * Browser origins allowed to open the socket; a list also refuses requests without an Origin. Default:
   * only the page's own origin (the Origin's host equals the request's Host, as Rails); a request without
   * an Origin (not a browser) is accepted.
   */
  allowedOrigins?: string[] | ((origin: string | undefined) => boolean);
  /**
   * Returns the connection's identity, or a falsy value (false, null, undefined, 0, "") to refuse it as Rails does (the socket is accepted, told `disconnect` with reason `unauthorized` and `reconnect: false`, and closed). The identity's JSON namespaces the
   * dedup state, so return a stable user id (e.g. `{ user: 7 }`), not a record whose fields change;
   * `true` means anonymous. An identity without a JSON form (a BigInt) is refused with 500.
   */
  authenticate?: (request: IncomingMessage) => unknown | Promise<unknown>;
  /**
   * Key of the HMAC that names the user in the hello's `identity`. Without it the name is an unkeyed
   * SHA-256, stable across restarts but open to guessing user ids: production servers should set it (and
   * keep it: a new secret renames every user, and clients then hold back records stamped with the old name).
   */
  identitySecret?: string;
  /** Default 3000 ms, as ActionCable. */
  pingInterval?: number;
  /** How long a reflex whose seq is ahead waits for the missing ones before `gap`. Default 2000 ms. */
  gapWait?: number;
  /** Reflexes one (user, clientId) holds while waiting for missing seqs; beyond it they get `gap` at once. Default 256. */
  maxHeld?: number;
  /** Subscriptions one socket may hold; more are rejected. Default 32. */
  maxSubscriptions?: number;
  /** How long close() waits for clients to close before terminating their sockets. Default 1000 ms. */
  closeTimeout?: number;
  /** Largest accepted frame in bytes; a bigger one closes that socket (1009). Default 1 MiB. */
  maxPayload?: number;
  /**
   * Where the server logs. Default: errors only (a reflex handler that throws, a store that fails) on
   * `console.error`. `false` silences it; `true` logs everything to the console; a `Logger` or
   * `(level, message, detail) => void` takes it all.
   */
  logger?: LoggerOption;
  onReflex?: (event: ReflexEvent) => void;
}
