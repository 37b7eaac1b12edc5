// The connection: one ActionCable consumer, our channel subscription, and the state the page shows
// (connecting / connected / disconnected / offline). Liveness and backoff live in ./monitor, frame
// validation and prompt close reporting in ./guard.
//
// A shared consumer (`options.consumer`, e.g. turbo-rails') is never closed by us; we still nudge its
// connection to reopen. If it comes from another copy of @rails/actioncable, our guard is not on its
// socket: malformed frames reach ActionCable unchecked, a failed attempt is noticed only after
// `staleAfter`, and abandoning a half-open socket waits for the browser's own close.
import { adapters, createConsumer, type Consumer, type Subscription } from "@rails/actioncable";
import { guarded } from "../core/events.js";
import type { Logger, LogLevel } from "../core/logger.js";
import type { CableState, ChannelParams } from "../protocol/types.js";
import { orderedParams } from "../protocol/validate.js";
import * as cable from "./actioncable.js";
import { installGuard, observeSockets, type SocketObserver } from "./guard.js";
import type { DisconnectInfo, TransportDelegate, TransportOptions } from "./index.js";
import { Monitor } from "./monitor.js";

export class Transport {
  lastDisconnect: DisconnectInfo | undefined;
  private current: CableState = "connecting";
  private isSubscribed = false;
  private started = false;
  /** The server (or ActionCable) said not to reconnect; `lastDisconnect` says why. */
  private halted = false;
  /** The server refused the subscription; we ask again on the next online/visible/pageshow. */
  private rejected = false;
  /** A socket is open or opening, and we have not yet seen it go. */
  private socketUp = false;
  private attemptAt = 0;
  private consumer: Consumer | undefined;
  private subscription: Subscription | undefined;
  private unobserve: (() => void) | undefined;
  private readonly monitor: Monitor;
  private readonly logger: Logger;

  constructor(
    private readonly options: TransportOptions,
    private readonly delegate: TransportDelegate,
  ) {
    this.logger = options.logger;
    this.monitor = new Monitor(
      {
        reconnectBase: options.reconnectBase ?? 50,
        reconnectMax: options.reconnectMax ?? 3000,
        staleAfter: options.staleAfter ?? 6500,
        strategy: options.strategy,
      },
      {
        reconnect: () => this.attempt(),
        stale: (idle) => this.abandon(`no frame for ${idle} ms`),
        lastActivity: () => Math.max(this.attemptAt, cable.lastFrameAt(this.consumer!)),
        wake: (reason) => this.wake(reason),
        offline: () => (this.socketUp ? this.abandon("the browser went offline") : this.settle()),
      },
    );
  }

  get state(): CableState {
    return this.current;
  }

  get subscribed(): boolean {
    return this.isSubscribed;
  }

  /** False when not sent: not subscribed, the socket is closed, or it has gone silent. */
  send(data: object): boolean {
    if (!this.isSubscribed || !this.subscription) return false;
    if (this.monitor.isStale()) {
      this.abandon("stale on send");
      return false;
    }
    const subscription = this.subscription;
    return guarded(this.logger, "ActionCable send", () => subscription.send(data)) ?? false;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.halted = false;
    this.lastDisconnect = undefined;
    installGuard(adapters);
    if (!this.consumer) {
      this.consumer = this.options.consumer ?? createConsumer(this.options.url);
      if (!this.options.consumer) cable.quietStockMonitor(this.consumer);
    }
    this.unobserve = observeSockets(this.observer);
    this.monitor.start();
    this.setState(browserOffline() ? "offline" : "connecting");
    this.socketUp = true;
    this.attemptAt = Date.now();
    this.monitor.watch();
    this.subscribe();
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.monitor.stop();
    this.unobserve?.();
    const { subscription, consumer } = this;
    this.subscription = undefined;
    guarded(this.logger, "ActionCable unsubscribe", () => subscription?.unsubscribe());
    if (consumer && !this.options.consumer) {
      guarded(this.logger, "ActionCable disconnect", () => {
        consumer.disconnect();
        cable.abandon(consumer); // ActionCable leaves a still-connecting socket open
      });
    }
    this.socketUp = false;
    this.drop();
    this.setState("disconnected");
  }

  private params(): ChannelParams {
    const { params } = this.options;
    return orderedParams(typeof params === "function" ? params() : params);
  }

  /** Before a new socket: params that changed since the subscription was made mean a new subscription. */
  private refreshSubscription(): void {
    const current = this.subscription as (Subscription & { identifier?: string }) | undefined;
    if (!current || current.identifier === JSON.stringify(this.params())) return;
    this.subscription = undefined;
    guarded(this.logger, "ActionCable unsubscribe", () => current.unsubscribe());
    this.subscribe();
  }

  private subscribe(): void {
    this.rejected = false;
    // ActionCable's identifier is JSON.stringify(params), so the key order is fixed here.
    this.subscription = guarded(this.logger, "ActionCable subscribe", () =>
      this.consumer!.subscriptions.create(this.params(), {
        connected: () => this.confirmed(),
        disconnected: ({ willAttemptReconnect }: { willAttemptReconnect?: boolean }) => {
          if (!this.started) return;
          // ActionCable gave up: a disconnect frame, consumer.disconnect() by its owner, or a refused subprotocol.
          if (willAttemptReconnect === false) this.halt(this.lastDisconnect?.reason ?? "ActionCable stopped reconnecting");
          this.lost("the socket closed");
        },
        rejected: () => this.refused(),
        received: (data: unknown) => {
          if (this.started) guarded(this.logger, "received", () => this.delegate.received(data));
        },
      }),
    );
  }

  private confirmed(): void {
    if (!this.started) return;
    this.socketUp = true;
    this.monitor.connected();
    if (this.isSubscribed) return;
    this.isSubscribed = true;
    this.note("info", "subscription confirmed");
    this.setState("connected");
    guarded(this.logger, "subscribed", () => this.delegate.subscribed());
  }

  private refused(): void {
    if (!this.started) return;
    this.rejected = true;
    this.note("warn", "the server rejected the subscription; asking again when the page wakes");
    this.drop();
    this.settle();
  }

  private halt(reason: string): void {
    this.halted = true;
    this.lastDisconnect ??= { reason, reconnect: false };
    this.monitor.halt();
    this.note("warn", `not reconnecting: ${reason}`);
  }

  /** The socket is gone (closed, stale, abandoned): report it once, then reconnect unless halted. */
  private lost(why: string): void {
    if (!this.started || !this.socketUp) return;
    this.socketUp = false;
    if (!this.isSubscribed) guarded(this.logger, "socketLost", () => this.delegate.socketLost?.());
    this.drop();
    this.settle();
    if (this.halted) return this.monitor.halt();
    const delay = this.monitor.lost();
    this.note("info", `socket lost (${why}); attempt ${this.monitor.attempts} in ${delay} ms`);
  }

  private attempt(): void {
    if (!this.started || this.halted) return;
    if (this.socketUp && cable.isActive(this.consumer!)) return;
    this.socketUp = true;
    this.attemptAt = Date.now();
    this.monitor.watch();
    if (this.rejected) this.subscribe(); // a new socket is a new chance
    else this.refreshSubscription();
    guarded(this.logger, "ActionCable open", () => cable.open(this.consumer!));
  }

  private wake(reason: string): void {
    if (!this.started) return;
    if (this.halted) return this.settle();
    this.note("debug", `woken by ${reason}`);
    this.monitor.resetBackoff();
    if (this.rejected) this.subscribe();
    this.settle();
    if (this.socketUp) this.monitor.check();
    else this.attempt();
  }

  /** Gives up on the current socket without waiting for a closing handshake a dead server never sends. */
  private abandon(why: string): void {
    this.note("info", `abandoning the socket: ${why}`);
    guarded(this.logger, "ActionCable close", () => cable.abandon(this.consumer!));
    this.lost(why);
  }

  private drop(): void {
    if (!this.isSubscribed) return;
    this.isSubscribed = false;
    guarded(this.logger, "unsubscribed", () => this.delegate.unsubscribed());
  }

  /** Not subscribed: `offline` when the browser says so; `connecting` lasts until the first attempt resolves. */
  private settle(): void {
    if (this.isSubscribed) this.setState("connected");
    else if (browserOffline()) this.setState("offline");
    else if (this.current !== "connecting" || !this.socketUp || this.rejected) this.setState("disconnected");
  }

  private setState(next: CableState): void {
    const previous = this.current;
    if (next === previous) return;
    this.current = next;
    this.note("debug", `state ${previous} → ${next}`);
    guarded(this.logger, "stateChanged", () => this.delegate.stateChanged(next, previous));
  }

  private note(level: LogLevel, message: string): void {
    if (this.logger.enabled) this.logger.log(level, message);
  }

  private readonly observer: SocketObserver = {
    frame: (socket, frame) => {
      if (!this.owns(socket) || !("type" in frame) || frame.type !== "disconnect") return;
      const info = { reason: frame.reason ?? "unknown", reconnect: frame.reconnect === true };
      this.lastDisconnect = info;
      this.note("info", `server disconnect: ${info.reason} (reconnect: ${info.reconnect})`);
      // ActionCable stops when `reconnect` is false or missing; so do we.
      if (!info.reconnect) this.halt(info.reason);
    },
    malformed: (socket, error) => {
      if (!this.owns(socket)) return;
      this.note("debug", `dropped a malformed frame: ${error.message}`);
      guarded(this.logger, "protocolError", () => this.delegate.protocolError(error, error.raw));
    },
    closed: (socket) => {
      if (this.owns(socket)) this.lost("the socket closed");
    },
    failed: (socket, error) => {
      if (this.owns(socket)) this.logger.log("error", "socket handler failed", error);
    },
  };

  private owns(socket: unknown): boolean {
    return this.started && !!this.consumer && cable.isCurrentSocket(this.consumer, socket);
  }
}

const browserOffline = (): boolean => typeof navigator !== "undefined" && navigator.onLine === false;
