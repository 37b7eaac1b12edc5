// What the outbox's parts share; built once by Outbox.
import type { Logger } from "../core/logger.js";
import type { Delivery } from "./delivery.js";
import type { Entry } from "./entry.js";
import type { OutboxHooks } from "./hooks.js";
import type { Ledger } from "./ledger.js";
import type { Persistence } from "./persistence.js";

export interface Context {
  readonly identity: string;
  readonly maxAge: number;
  readonly hooks: OutboxHooks;
  readonly logger: Logger;
  readonly persistence: Persistence;
  readonly ledger: Ledger;
  readonly delivery: Delivery;
  readonly closed: () => boolean;
  /** Made by the page now shown: only then are a committed ack's operations applied to it. */
  readonly thisPage: (entry: Entry) => boolean;
  /** The own clientId changed (a relocation): other tabs hear of it. */
  readonly ownChanged: () => void;
}
