// createServer: wires the HTTP server, the cable and the reflex channel together.
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger, type Logger } from "../core/logger.js";
import type { Operation } from "../protocol/types.js";
import { Cable } from "./cable.js";
import { DEFAULT_MAX_SUBSCRIPTIONS } from "./commands.js";
import { createRequestHandler } from "./http.js";
import { DEFAULT_MAX_HELD } from "./lanes.js";
import { envelope } from "./plain.js";
import { ReflexChannel } from "./reflex-channel.js";
import { MemoryStore, type CourierStore } from "./store.js";
import type { ServerOptions, ServerStats } from "./types.js";

export const DEFAULT_CHANNEL = "StimulusReflex::Channel";

export interface CourierServer {
  /** Starts listening; port 0 (default) picks a free port, host defaults to 127.0.0.1. */
  listen(port?: number, host?: string): Promise<void>;
  /** Drains running reflexes, says `disconnect` (server_restart, reconnect: true) to every socket, closes all. */
  close(): Promise<void>;
  /** `http://host:port`; throws before listen(). */
  readonly url: string;
  /** `ws://host:port/cable` (the `path` option); throws before listen(). */
  readonly cableUrl: string;
  readonly port: number;
  readonly listening: boolean;
  /** Sends a CableReady envelope to every reflex-channel subscription; returns how many frames went out. */
  broadcast(operations: Operation[]): number;
  /** Cuts every socket without a goodbye and answers WebSocket upgrades 503 for `seconds` (the "go offline" switch). */
  dropConnections(seconds: number): void;
  /** Ends a `dropConnections` refusal early. */
  acceptConnections(): void;
  readonly refusing: boolean;
  readonly connectionCount: number;
  /** Stamped reflexes held waiting for missing seqs (at most `maxHeld` per (user, clientId)). */
  readonly held: number;
  /** Live counters; read them, do not write. */
  readonly stats: ServerStats;
  readonly store: CourierStore;
  readonly httpServer: Server;
}

/** The default logger: errors (a handler that throws, a store that fails) on console.error, nothing else. */
const errorsToConsole: Logger = {
  enabled: false,
  log(level, message, detail) {
    if (level === "error") console.error(`[cable-courier server] ${message}`, ...(detail === undefined ? [] : [detail]));
  },
};

export function createServer(options: ServerOptions = {}): CourierServer {
  const logger = options.logger === undefined ? errorsToConsole : createLogger(options.logger);
  const store = options.store ?? new MemoryStore();
  const channelName = options.channel ?? DEFAULT_CHANNEL;
  const path = options.path ?? "/cable";
  const closeTimeout = options.closeTimeout ?? 1000;
  const stats: ServerStats = {
    connectionsOpened: 0, connectionsClosed: 0, handlerRuns: {}, committed: 0, failed: 0, duplicates: 0, conflicts: 0, gaps: 0, plain: 0, invalid: 0,
  };
  const cable = new Cable(
    { path, pingInterval: options.pingInterval ?? 3000, closeTimeout, maxPayload: options.maxPayload ?? 1024 * 1024,
      maxSubscriptions: options.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS },
    options,
    stats,
    logger,
  );
  const channel = new ReflexChannel({
    reflexes: options.reflexes ?? {}, store, extension: options.extension !== false, gapWait: options.gapWait ?? 2000,
    maxHeld: options.maxHeld ?? DEFAULT_MAX_HELD,
    identitySecret: options.identitySecret, stats, logger, onReflex: options.onReflex,
  });
  cable.addChannel(channelName, channel);

  const httpServer = createHttpServer(createRequestHandler({ static: options.static, routes: options.routes, logger }));
  httpServer.on("upgrade", (request, socket, head: Buffer) => cable.handleUpgrade(request, socket, head));
  let closing: Promise<void> | undefined;

  const address = (): AddressInfo => {
    const info = httpServer.address();
    if (!info || typeof info === "string") throw new Error("cable-courier server: not listening");
    return info;
  };
  const origin = (scheme: string) => {
    const { address: host, port } = address();
    return `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`;
  };

  return {
    listen(port = 0, host = "127.0.0.1") {
      return new Promise<void>((resolve, reject) => {
        httpServer.once("error", reject);
        // A deep accept queue: benches open thousands of sockets at once.
        httpServer.listen({ port, host, backlog: 4096 }, () => {
          httpServer.off("error", reject);
          cable.start();
          resolve();
        });
      });
    },
    close() {
      closing ??= (async () => {
        await channel.lanes.stop(closeTimeout);
        await cable.close();
        if (!httpServer.listening) return;
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        });
      })();
      return closing;
    },
    get url() { return origin("http"); },
    get cableUrl() { return origin("ws") + path; },
    get port() { return address().port; },
    get listening() { return httpServer.listening; },
    broadcast: (operations) => cable.broadcast(channelName, envelope(operations)),
    dropConnections: (seconds) => cable.drop(seconds),
    acceptConnections: () => cable.acceptConnections(),
    get refusing() { return cable.refusing; },
    get connectionCount() { return cable.connectionCount; },
    get held() { return channel.lanes.held; },
    stats,
    store,
    httpServer,
  };
}
