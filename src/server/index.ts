// cable-courier/server: the Node reference server. Never imported by browser code.
export { createServer, DEFAULT_CHANNEL, type CourierServer } from "./server.js";
export { MemoryStore, type CourierStore, type StoredResult, type MemoryStoreOptions } from "./store.js";
export { clientKey, splitClientKey, type ClientKey } from "./identity.js";
export * from "./operations.js";
export { envelope, plainOperations, camelizeKeys, CABLE_READY_VERSION } from "./plain.js";
export { SUBPROTOCOL } from "./upgrade.js";
export { CONTENT_TYPES } from "./http.js";
export type {
  InboundReflex,
  ReflexContext,
  ReflexHandler,
  RouteHandler,
  ReflexEvent,
  ReflexEventType,
  ServerOptions,
  ServerStats,
} from "./types.js";
