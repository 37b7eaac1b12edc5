// The ActionCable consumer and which socket is ours. A shared consumer (`options.consumer`, e.g.
// turbo-rails') is never closed by us; we still nudge its connection to reopen. If it comes from another
// copy of @rails/actioncable, our guard is not on its socket: malformed frames reach ActionCable
// unchecked, a failed attempt is noticed only after `staleAfter`, and abandoning a half-open socket waits
// for the browser's own close.
//
// The guard reports every guarded socket on the page (other transports', earlier ones of ours); only the
// current socket of our consumer, between watch() and unwatch(), is ours to act on.
import { adapters, createConsumer, type Consumer } from "@rails/actioncable";
import { guarded } from "../core/events.js";
import * as cable from "./actioncable.js";
import { installGuard, observeSockets, type SocketObserver } from "./guard.js";
import type { DisconnectInfo, TransportOptions } from "./index.js";

export interface ConnectionDelegate {
  /** The server sent a `disconnect` frame. */
  disconnect(info: DisconnectInfo): void;
  closed(): void;
  protocolError(error: Error, raw: unknown): void;
}

export class Connection {
  private _made: Consumer | undefined;
  private _unobserve: (() => void) | undefined;

  constructor(
    private readonly _options: Pick<TransportOptions, "url" | "consumer" | "logger">,
    private readonly _delegate: ConnectionDelegate,
  ) {}

  /** Made (or adopted) by the first `watch()` and kept across stop and start. */
  get consumer(): Consumer {
    return this._made!;
  }

  /** Installs the guard, makes our consumer on first use, and starts taking the guard's reports. */
  watch(): void {
    installGuard(adapters);
    if (!this._made) {
      this._made = this._options.consumer ?? createConsumer(this._options.url);
      if (!this._options.consumer) cable.quietStockMonitor(this._made);
    }
    this._unobserve = observeSockets(this._observer);
  }

  unwatch(): void {
    // Cleared as well as unobserved: a report already being delivered still reaches the observer.
    const unobserve = this._unobserve;
    this._unobserve = undefined;
    unobserve?.();
  }

  /** Closes a consumer we made; a shared one is its owner's to close. */
  release(): void {
    const consumer = this._made;
    if (!consumer || this._options.consumer) return;
    guarded(this._options.logger, "ActionCable disconnect", () => {
      consumer.disconnect();
      cable.abandon(consumer); // ActionCable leaves a still-connecting socket open
    });
  }

  /** Open or connecting. */
  isActive(): boolean {
    return cable.isActive(this.consumer);
  }

  open(): void {
    guarded(this._options.logger, "ActionCable open", () => cable.open(this.consumer));
  }

  /** Gives up on the current socket without waiting for a closing handshake a dead server never sends. */
  abandon(): void {
    guarded(this._options.logger, "ActionCable close", () => cable.abandon(this.consumer));
  }

  lastFrameAt(): number {
    return cable.lastFrameAt(this.consumer);
  }

  private readonly _observer: SocketObserver = {
    frame: (socket, frame) => {
      if (!this._owns(socket) || !("type" in frame) || frame.type !== "disconnect") return;
      this._delegate.disconnect({ reason: frame.reason ?? "unknown", reconnect: frame.reconnect === true });
    },
    malformed: (socket, error) => {
      if (!this._owns(socket)) return;
      const { logger } = this._options;
      if (logger.enabled) logger.log("debug", `dropped a malformed frame: ${error.message}`);
      guarded(logger, "protocolError", () => this._delegate.protocolError(error, error.raw));
    },
    closed: (socket) => {
      if (this._owns(socket)) this._delegate.closed();
    },
    failed: (socket, error) => {
      if (this._owns(socket)) this._options.logger.log("error", "socket handler failed", error);
    },
  };

  private _owns(socket: unknown): boolean {
    return !!this._unobserve && !!this._made && cable.isCurrentSocket(this._made, socket);
  }
}
