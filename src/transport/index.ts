// The connection to the cable: one ActionCable consumer, the reflex channel subscription, and the state
// the page shows. The contract other parts rely on is in this file; the machine is in ./transport.
import type { Consumer } from "@rails/actioncable";
import type { Logger } from "../core/logger.js";
import type { CableState, ChannelParams } from "../protocol/types.js";

export { Transport } from "./transport.js";
export { jitteredBackoff } from "./monitor.js";
export { getSharedCourier, setSharedCourier, sharedSlot, type SharedSlot } from "./shared.js";

export interface TransportOptions {
  url: string;
  consumer?: Consumer;
  /** Subscription params; a function is read again before each reconnect (the clientId may change). */
  params: ChannelParams | (() => ChannelParams);
  /** Default 50 ms: first reconnect delay (jittered, doubles, capped). */
  reconnectBase?: number;
  /** Default 3000 ms: cap of the backoff. */
  reconnectMax?: number;
  /** Default 6500 ms: no frame for this long on an open socket = dead. */
  staleAfter?: number;
  /** Default 5000 ms: from an attempt to `confirm_subscription`; past it the socket is given up and retried. 0 = no deadline. */
  welcomeTimeout?: number;
  /** Delay before reconnect attempt n (1-based); replaces the jittered backoff (tests). */
  strategy?: (attempt: number) => number;
  logger: Logger;
}

export interface TransportDelegate {
  stateChanged(state: CableState, previous: CableState): void;
  subscribed(): void;
  unsubscribed(): void;
  /** A socket went away before its subscription was confirmed: whatever it said (a hello) is void. */
  socketLost?(): void;
  received(data: unknown): void;
  protocolError(error: Error, raw: unknown): void;
}

/** Why the server last closed the socket (its `disconnect` frame); `reconnect: false` stops us. */
export interface DisconnectInfo {
  reason: string;
  reconnect: boolean;
}

