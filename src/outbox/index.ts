// The outbox's public surface; the rest of src/outbox is internal.
export { Outbox } from "./outbox.js";
export type { OutboxHooks, OutboxOptions, OutboundReflex, ReflexTombstone, StageDetail, StaleReason, StaleReflex } from "./hooks.js";
export { ReflexError, type ReflexPromise, type ReflexResult } from "./reflex-error.js";
