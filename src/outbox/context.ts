// What the outbox's parts share; built once by Outbox.
import type { Logger } from "../core/logger.js";
import type { Delivery } from "./delivery.js";
import type { Heartbeat } from "./claims.js";
import type { OutboxHooks, StaleReason } from "./hooks.js";
import type { Ledger } from "./ledger.js";
import type { Entry } from "./record.js";
import type { Persistence } from "./storage.js";

export interface Context {
  readonly identity: string;
  readonly maxAge: number;
  readonly hooks: OutboxHooks;
  readonly logger: Logger;
  readonly persistence: Persistence;
  readonly ledger: Ledger;
  readonly delivery: Delivery;
  /** Claims clientIds: by Web Lock, or by heartbeat without them. */
  readonly heartbeat: Heartbeat;
  readonly closed: () => boolean;
  /** Its payload was made for the URL now shown (one half of the convergence rule, PROTOCOL.md §5). */
  readonly forThisUrl: (entry: Entry) => boolean;
  /** A committed reflex whose operations the page will not get: reported, batched, through the stale hook. */
  readonly stale: (entry: Entry, reason: StaleReason) => void;
  /** The own clientId changed (a relocation): other tabs hear of it. */
  readonly ownChanged: () => void;
}
