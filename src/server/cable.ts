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
  private readonly _wss: WebSocketServer;
  private readonly _connections = new Set<Connection>();
  private readonly _commands: Commands;
  private _nextId = 1;
  private _pinger: ReturnType<typeof setInterval> | undefined;
  private _refusingUntil = 0;
  private _closing = false;

  constructor(
    private readonly _settings: CableSettings,
    private readonly _options: ServerOptions,
    private readonly _stats: ServerStats,
    private readonly _logger: Logger,
  ) {
    this._commands = new Commands(this._stats, this._logger, this._settings.maxSubscriptions);
    this._wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: this._settings.maxPayload,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
  }

  addChannel(name: string, channel: Channel): void {
    this._commands.channels.set(name, channel);
  }

  get connectionCount(): number {
    return this._connections.size;
  }

  get refusing(): boolean {
    return Date.now() < this._refusingUntil;
  }

  start(): void {
    if (this._pinger) return;
    // One interval for every socket: per-connection timers would not survive 10,000 connections. The pings
    // go out in chunks that yield to the event loop, so 10,000 of them do not stall reflexes for 100+ ms.
    this._pinger = setInterval(() => {
      const frame = JSON.stringify({ type: "ping", message: Math.floor(Date.now() / 1000) });
      const connections = [...this._connections];
      const sendFrom = (start: number): void => {
        const end = Math.min(start + PING_CHUNK, connections.length);
        for (let i = start; i < end; i++) connections[i].sendRaw(frame);
        if (end < connections.length) setImmediate(sendFrom, end);
      };
      sendFrom(0);
    }, this._settings.pingInterval);
    this._pinger.unref();
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", (error) => this._logger.log("debug", "upgrade socket error", error));
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    if (pathname !== this._settings.path) return refuseUpgrade(socket, 404);
    if (this._closing || this.refusing) return refuseUpgrade(socket, 503);
    void checkUpgrade(request, this._options).then((verdict) => {
      if (!verdict.ok) {
        this._logger.log("info", `upgrade refused (${verdict.status}): ${verdict.reason}`);
        if (verdict.status !== 401 || socket.destroyed) return refuseUpgrade(socket, verdict.status);
        // As Rails does: accept, say why and not to come back, close (a client would retry a bare 401 forever).
        return this._wss.handleUpgrade(request, socket, head, (ws) =>
          ws.send(JSON.stringify({ type: "disconnect", reason: "unauthorized", reconnect: false }), () => ws.close()),
        );
      }
      if (socket.destroyed) return;
      if (this._closing || this.refusing) return refuseUpgrade(socket, 503);
      this._wss.handleUpgrade(request, socket, head, (ws) => this._accept(ws, verdict.identity, verdict.user));
    });
  }

  /** Sends one channel message to every subscription of `channel`; returns how many frames went out. */
  broadcast(channel: string, message: unknown): number {
    const json = JSON.stringify(message);
    let sent = 0;
    for (const connection of this._connections) {
      for (const [identifier, params] of connection.subscriptions) {
        if (params.channel === channel && connection.sendRaw(channelFrame(identifier, json))) sent++;
      }
    }
    return sent;
  }

  /** Cuts every socket without a goodbye (a network loss) and answers upgrades 503 for `seconds`. */
  drop(seconds: number): void {
    this._refusingUntil = Date.now() + Math.max(0, seconds) * 1000;
    for (const connection of this._connections) connection.socket.terminate();
  }

  acceptConnections(): void {
    this._refusingUntil = 0;
  }

  /** Says `disconnect` (reconnect: true) to every socket, closes it, and terminates those that linger. */
  async close(): Promise<void> {
    this._closing = true;
    if (this._pinger) clearInterval(this._pinger);
    this._pinger = undefined;
    const open = [...this._connections];
    const frame = JSON.stringify({ type: "disconnect", reason: "server_restart", reconnect: true });
    await new Promise<void>((resolve) => {
      let left = open.length;
      if (left === 0) return resolve();
      // Clients that do not finish the close handshake in time are cut; terminate() still emits "close".
      const timer = setTimeout(() => open.forEach((connection) => connection.socket.terminate()), this._settings.closeTimeout);
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
    this._wss.close();
  }

  private _accept(socket: WebSocket, identity: unknown, user: string): void {
    const connection = new Connection(this._nextId++, socket, identity, user);
    this._connections.add(connection);
    this._stats.connectionsOpened++;
    socket.on("message", (data, isBinary) => this._commands.handle(connection, data, isBinary));
    socket.on("error", (error) => this._logger.log("debug", `socket ${connection.id} error`, error));
    socket.on("close", () => {
      this._connections.delete(connection);
      this._stats.connectionsClosed++;
    });
    connection.send({ type: "welcome" });
  }
}
