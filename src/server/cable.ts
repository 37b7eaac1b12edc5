// The socket side of ActionCable over `ws`: upgrade checks, welcome, one shared ping, broadcast, and
// shutting sockets down. Client commands go to `Commands`, which routes them to channels.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { Logger } from "../core/logger.js";
import { Commands } from "./commands.js";
import { Connection, channelFrame, type Channel } from "./connection.js";
import type { ServerOptions, ServerStats } from "./types.js";
import { SUBPROTOCOL, checkUpgrade, refuseUpgrade } from "./upgrade.js";

export interface CableSettings {
  path: string;
  pingInterval: number;
  closeTimeout: number;
  maxPayload: number;
  maxSubscriptions: number;
}

/** Pings sent before yielding to the event loop. */
const PING_CHUNK = 500;

export class Cable {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly commands: Commands;
  private nextId = 1;
  private pinger: ReturnType<typeof setInterval> | undefined;
  private refusingUntil = 0;
  private closing = false;

  constructor(
    private readonly settings: CableSettings,
    private readonly options: ServerOptions,
    private readonly stats: ServerStats,
    private readonly logger: Logger,
  ) {
    this.commands = new Commands(stats, logger, settings.maxSubscriptions);
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: settings.maxPayload,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
  }

  addChannel(name: string, channel: Channel): void {
    this.commands.channels.set(name, channel);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  get refusing(): boolean {
    return Date.now() < this.refusingUntil;
  }

  start(): void {
    if (this.pinger) return;
    // One interval for every socket: per-connection timers would not survive 10,000 connections. The pings
    // go out in chunks that yield to the event loop, so 10,000 of them do not stall reflexes for 100+ ms.
    this.pinger = setInterval(() => {
      const frame = JSON.stringify({ type: "ping", message: Math.floor(Date.now() / 1000) });
      const connections = [...this.connections];
      const sendFrom = (start: number): void => {
        const end = Math.min(start + PING_CHUNK, connections.length);
        for (let i = start; i < end; i++) connections[i].sendRaw(frame);
        if (end < connections.length) setImmediate(sendFrom, end);
      };
      sendFrom(0);
    }, this.settings.pingInterval);
    this.pinger.unref();
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", (error) => this.logger.log("debug", "upgrade socket error", error));
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    if (pathname !== this.settings.path) return refuseUpgrade(socket, 404);
    if (this.closing || this.refusing) return refuseUpgrade(socket, 503);
    void checkUpgrade(request, this.options).then((verdict) => {
      if (!verdict.ok) {
        this.logger.log("info", `upgrade refused (${verdict.status}): ${verdict.reason}`);
        if (verdict.status !== 401 || socket.destroyed) return refuseUpgrade(socket, verdict.status);
        // As Rails does: accept, say why and not to come back, close (a client would retry a bare 401 forever).
        return this.wss.handleUpgrade(request, socket, head, (ws) =>
          ws.send(JSON.stringify({ type: "disconnect", reason: "unauthorized", reconnect: false }), () => ws.close()),
        );
      }
      if (socket.destroyed) return;
      if (this.closing || this.refusing) return refuseUpgrade(socket, 503);
      this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, verdict.identity, verdict.user));
    });
  }

  /** Sends one channel message to every subscription of `channel`; returns how many frames went out. */
  broadcast(channel: string, message: unknown): number {
    const json = JSON.stringify(message);
    let sent = 0;
    for (const connection of this.connections) {
      for (const [identifier, params] of connection.subscriptions) {
        if (params.channel === channel && connection.sendRaw(channelFrame(identifier, json))) sent++;
      }
    }
    return sent;
  }

  /** Cuts every socket without a goodbye (a network loss) and answers upgrades 503 for `seconds`. */
  drop(seconds: number): void {
    this.refusingUntil = Date.now() + Math.max(0, seconds) * 1000;
    for (const connection of this.connections) connection.socket.terminate();
  }

  acceptConnections(): void {
    this.refusingUntil = 0;
  }

  /** Says `disconnect` (reconnect: true) to every socket, closes it, and terminates those that linger. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = undefined;
    const open = [...this.connections];
    const frame = JSON.stringify({ type: "disconnect", reason: "server_restart", reconnect: true });
    await new Promise<void>((resolve) => {
      let left = open.length;
      if (left === 0) return resolve();
      // Clients that do not finish the close handshake in time are cut; terminate() still emits "close".
      const timer = setTimeout(() => open.forEach((connection) => connection.socket.terminate()), this.settings.closeTimeout);
      const closed = () => {
        if (--left > 0) return;
        clearTimeout(timer);
        resolve();
      };
      for (const connection of open) {
        connection.socket.once("close", closed);
        connection.sendRaw(frame);
        connection.socket.close(1000, "server_restart");
      }
    });
    this.wss.close();
  }

  private accept(socket: WebSocket, identity: unknown, user: string): void {
    const connection = new Connection(this.nextId++, socket, identity, user);
    this.connections.add(connection);
    this.stats.connectionsOpened++;
    socket.on("message", (data, isBinary) => this.commands.handle(connection, data, isBinary));
    socket.on("error", (error) => this.logger.log("debug", `socket ${connection.id} error`, error));
    socket.on("close", () => {
      this.connections.delete(connection);
      this.stats.connectionsClosed++;
    });
    connection.send({ type: "welcome" });
  }
}
