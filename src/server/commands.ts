// The client commands of the ActionCable protocol (subscribe, unsubscribe, message), validated and routed to
// channels. Whatever a socket sends, the worst outcome is a log line and a dropped frame.
import type { RawData } from "ws";
import type { Logger } from "../core/logger.js";
import type { Channel, Connection } from "./connection.js";
import { parseCommand, parseData, parseIdentifier } from "./frames.js";
import type { ServerStats } from "./types.js";

/** Subscriptions one socket may hold by default; a page needs one per channel, a hostile socket would add many. */
export const DEFAULT_MAX_SUBSCRIPTIONS = 32;

export class Commands {
  readonly channels = new Map<string, Channel>();

  constructor(
    private readonly _stats: ServerStats,
    private readonly _logger: Logger,
    private readonly _maxSubscriptions = DEFAULT_MAX_SUBSCRIPTIONS,
  ) {}

  handle(connection: Connection, data: RawData, isBinary: boolean): void {
    if (isBinary) return this._invalid(connection, "binary frame ignored");
    const text = rawText(data);
    const parsed = parseCommand(text);
    if (!parsed.ok) return this._invalid(connection, parsed.error, text.slice(0, 200));
    const command = parsed.value;
    if (command.command === "subscribe") return this._subscribe(connection, command.identifier);
    if (command.command === "unsubscribe") {
      if (!connection.subscriptions.delete(command.identifier)) this._invalid(connection, "unsubscribe without subscription");
      return;
    }
    const params = connection.subscriptions.get(command.identifier);
    if (!params) return this._invalid(connection, "message without subscription", command.identifier);
    const payload = parseData(command.data);
    if (!payload.ok) return this._invalid(connection, payload.error, command.data.slice(0, 200));
    try {
      this.channels.get(params.channel)?.receive(connection, params, command.identifier, payload.value);
    } catch (error) {
      this._logger.log("error", `channel ${params.channel} receive threw`, error);
    }
  }

  private _subscribe(connection: Connection, identifier: string): void {
    if (connection.subscriptions.has(identifier)) return this._invalid(connection, "already subscribed", identifier);
    const parsed = parseIdentifier(identifier);
    if (!parsed.ok) return this._invalid(connection, parsed.error, identifier);
    const params = parsed.value;
    const channel = this.channels.get(params.channel);
    if (!channel) {
      this._logger.log("info", `connection ${connection.id}: unknown channel ${params.channel}`);
      connection.send({ type: "reject_subscription", identifier });
      return;
    }
    if (connection.subscriptions.size >= this._maxSubscriptions) {
      this._invalid(connection, `more than ${this._maxSubscriptions} subscriptions`, identifier);
      connection.send({ type: "reject_subscription", identifier });
      return;
    }
    // Registered before the (possibly async) subscribe, as Rails does, so a second subscribe is refused.
    connection.subscriptions.set(identifier, params);
    const settle = (accepted: boolean) => {
      if (!accepted) connection.subscriptions.delete(identifier);
      connection.send({ type: accepted ? "confirm_subscription" : "reject_subscription", identifier });
    };
    new Promise<boolean>((resolve) => resolve(channel.subscribe(connection, params, identifier))).then(settle, (error) => {
      this._logger.log("error", `channel ${params.channel} subscribe threw`, error);
      settle(false);
    });
  }

  private _invalid(connection: Connection, reason: string, raw?: unknown): void {
    this._stats.invalid++;
    this._logger.log("warn", `connection ${connection.id}: ${reason}`, raw);
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString();
  return Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data).toString();
}
