// One accepted socket. Kept deliberately small (a bench holds 10,000 of them): the ws socket, an id,
// the identity (as returned and as a user key) and the identifiers it subscribed to. No timers.
import { WebSocket } from "ws";
import type { ChannelParams, CourierAck } from "../protocol/types.js";
import { AckBatch, BATCH_PARAM, BATCH_VALUE } from "./ack-batch.js";

/** A channel, as the cable layer sees it. */
export interface Channel {
  /** Called before `confirm_subscription`; may transmit first (the hello). false → `reject_subscription`. */
  subscribe(connection: Connection, params: ChannelParams, identifier: string): boolean | Promise<boolean>;
  /** One `message` command on a confirmed subscription, its `data` already parsed to an object. */
  receive(connection: Connection, params: ChannelParams, identifier: string, data: Record<string, unknown>): void;
}

export class Connection {
  /** identifier → params, for confirmed subscriptions. */
  readonly subscriptions = new Map<string, ChannelParams>();
  /** Acks waiting for the end of the tick; made on the first ack for a batching subscription. */
  private _acks: AckBatch | undefined;

  constructor(
    readonly id: number,
    readonly socket: WebSocket,
    readonly identity: unknown,
    /** The identity's user key (identity.ts): the namespace of this connection's dedup state. */
    readonly user: string,
  ) {}

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends a prepared frame; false when the socket is no longer open. */
  sendRaw(frame: string): boolean {
    if (!this.open) return false;
    // Whatever waits in the ack batch was made first, so it goes first.
    this._acks?.flush();
    this.socket.send(frame);
    return true;
  }

  send(frame: object): boolean {
    return this.sendRaw(JSON.stringify(frame));
  }

  /** Ends the socket after an unexpected server error: no answer was sent, so the client resends after reconnecting. */
  fail(): void {
    if (this.open) this.socket.close(1011, "server error");
  }

  /** An ack: batched per tick when the subscription asked for it (ack-batch.ts), else sent at once. */
  transmitAck(identifier: string, ack: CourierAck): boolean {
    if (this.subscriptions.get(identifier)?.[BATCH_PARAM] !== BATCH_VALUE) return this.transmit(identifier, { courier: ack });
    if (!this.open) return false;
    (this._acks ??= new AckBatch((id, message) => this.send({ identifier: id, message }))).add(identifier, ack);
    return true;
  }

  /** A channel message: `{identifier, message}`. */
  transmit(identifier: string, message: unknown): boolean {
    return this.send({ identifier, message });
  }
}

/** Builds the channel-message frame once for many connections: only the identifier differs. */
export function channelFrame(identifier: string, messageJson: string): string {
  return `{"identifier":${JSON.stringify(identifier)},"message":${messageJson}}`;
}
