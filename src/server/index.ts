// cable-courier/server: the Node reference server. Never imported by browser code.
export { createServer, DEFAULT_CHANNEL, type CourierServer } from "./server";
export { MemoryStore, type CourierStore, type StoredResult, type MemoryStoreOptions } from "./store";
export * from "./operations";
export { envelope, plainOperations, camelizeKeys, CABLE_READY_VERSION } from "./plain";
export { SUBPROTOCOL } from "./upgrade";
export { CONTENT_TYPES } from "./http";
export type {
  InboundReflex,
  ReflexContext,
  ReflexHandler,
  RouteHandler,
  ReflexEvent,
  ReflexEventType,
  ServerOptions,
  ServerStats,
} from "./types";
