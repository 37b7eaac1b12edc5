// What the outbox's parts share; built once by Outbox.
import type { Logger } from "../core/logger";
import type { Delivery } from "./delivery";
import type { OutboxHooks } from "./hooks";
import type { Ledger } from "./ledger";
import type { Persistence } from "./persistence";

export interface Context {
  readonly identity: string;
  readonly maxAge: number;
  readonly hooks: OutboxHooks;
  readonly logger: Logger;
  readonly persistence: Persistence;
  readonly ledger: Ledger;
  readonly delivery: Delivery;
  readonly closed: () => boolean;
}
