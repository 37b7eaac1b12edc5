// The outbox's public surface; the rest of src/outbox is internal.
export { Outbox } from "./outbox";
export type { OutboxHooks, OutboxOptions, OutboundReflex, ReflexTombstone, StageDetail } from "./hooks";
export { ReflexError, type ReflexPromise, type ReflexResult } from "./reflex-error";
