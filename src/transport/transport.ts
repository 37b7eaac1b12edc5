// The connection's state machine: one ActionCable consumer, our channel subscription, and the state the
// page shows (connecting / connected / disconnected / offline). Liveness and backoff live in ./monitor,
// the subscription in ./channel, the consumer and which socket is ours in ./connection (with what a shared
// consumer does not get), frame validation and prompt close reporting in ./guard.
import { guarded } from "../core/events.js";
import type { Logger, LogLevel } from "../core/logger.js";
import type { CableState } from "../protocol/types.js";
import { Channel } from "./channel.js";
import { Connection } from "./connection.js";
import type { DisconnectInfo, TransportDelegate, TransportOptions } from "./index.js";
import { Monitor } from "./monitor.js";
import { DEFAULT_WELCOME_TIMEOUT, WelcomeDeadline } from "./welcome.js";
import { warnOnce } from "../core/warn.js";

/** Failed attempts in a row, none ever welcomed, before the URL is named in a console warning. */
const HANDSHAKE_WARN_AFTER = 3;

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
  /** Sockets lost in a row without a subscription confirmed on any of them. */
  private failures = 0;
  private readonly url: string;
  private readonly logger: Logger;
  private readonly monitor: Monitor;
  private readonly connection: Connection;
  private readonly channel: Channel;
  private readonly welcome: WelcomeDeadline;

  constructor(options: TransportOptions, private readonly delegate: TransportDelegate) {
    this.logger = options.logger;
    this.welcome = new WelcomeDeadline(options.welcomeTimeout ?? DEFAULT_WELCOME_TIMEOUT, (timeout) => {
      if (this.started && this.socketUp && !this.isSubscribed && !this.rejected && !this.halted) {
        this.abandon(`no welcome and confirmation within ${timeout} ms`);
      }
    });
    this.url = options.url;
    this.monitor = new Monitor(options, {
      reconnect: () => this.attempt(),
      stale: (idle) => this.abandon(`no frame for ${idle} ms`),
      lastActivity: () => Math.max(this.attemptAt, this.connection.lastFrameAt()),
      wake: (reason) => this.wake(reason),
      offline: () => (this.socketUp ? this.abandon("the browser went offline") : this.settle()),
    });
    this.connection = new Connection(options, {
      disconnect: (info) => {
        this.lastDisconnect = info;
        this.note("info", `server disconnect: ${info.reason} (reconnect: ${info.reconnect})`);
        // ActionCable stops when `reconnect` is false or missing; so do we.
        if (!info.reconnect) this.halt(info.reason);
      },
      closed: () => this.lost("the socket closed"),
      protocolError: (error, raw) => delegate.protocolError(error, raw),
    });
    this.channel = new Channel(options.params, this.logger, {
      confirmed: () => this.confirmed(),
      disconnected: (willAttemptReconnect) => {
        if (!this.started) return;
        // ActionCable gave up: a disconnect frame, consumer.disconnect() by its owner, or a refused subprotocol.
        if (willAttemptReconnect === false) this.halt(this.lastDisconnect?.reason ?? "ActionCable stopped reconnecting");
        this.lost("the socket closed");
      },
      rejected: () => this.refused(),
      received: (data) => {
        if (this.started) guarded(this.logger, "received", () => delegate.received(data));
      },
    });
  }

  get state(): CableState {
    return this.current;
  }

  get subscribed(): boolean {
    return this.isSubscribed;
  }

  /** False when not sent: not subscribed, the socket is closed, or it has gone silent. */
  send(data: object): boolean {
    if (!this.isSubscribed || !this.channel.exists) return false;
    if (this.monitor.isStale()) {
      this.abandon("stale on send");
      return false;
    }
    return this.channel.send(data);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.halted = false;
    this.lastDisconnect = undefined;
    this.connection.watch();
    this.monitor.start();
    this.setState(browserOffline() ? "offline" : "connecting");
    this.socketUp = true;
    this.attemptAt = Date.now();
    this.monitor.watch();
    this.welcome.arm();
    this.subscribe();
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.welcome.disarm();
    this.monitor.stop();
    this.connection.unwatch();
    this.channel.unsubscribe();
    this.connection.release();
    this.socketUp = false;
    this.drop();
    this.setState("disconnected");
  }

  private subscribe(): void {
    this.rejected = false;
    this.channel.subscribe(this.connection.consumer);
  }

  private confirmed(): void {
    if (!this.started) return;
    this.socketUp = true;
    this.welcome.disarm();
    this.monitor.connected();
    if (this.isSubscribed) return;
    this.isSubscribed = true;
    this.failures = 0;
    this.note("info", "subscription confirmed");
    this.setState("connected");
    guarded(this.logger, "subscribed", () => this.delegate.subscribed());
  }

  private refused(): void {
    if (!this.started) return;
    this.rejected = true;
    this.welcome.disarm();
    this.lastDisconnect = { reason: "subscription_rejected", reconnect: false };
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
    this.welcome.disarm();
    if (!this.isSubscribed) {
      guarded(this.logger, "socketLost", () => this.delegate.socketLost?.());
      if (++this.failures === HANDSHAKE_WARN_AFTER && !this.halted) {
        warnOnce(`unreachable ${this.cableUrl}`, `cannot connect to ${this.cableUrl} (${this.failures} attempts failed); still trying`);
      }
    }
    this.drop();
    this.settle();
    if (this.halted) return this.monitor.halt();
    const delay = this.monitor.lost();
    this.note("info", `socket lost (${why}); attempt ${this.monitor.attempts} in ${delay} ms`);
  }

  private attempt(): void {
    if (!this.started || this.halted) return;
    if (this.socketUp && this.connection.isActive()) return;
    this.socketUp = true;
    this.attemptAt = Date.now();
    this.monitor.watch();
    this.welcome.arm();
    if (this.rejected) this.subscribe(); // a new socket is a new chance
    else this.channel.refresh(this.connection.consumer);
    this.connection.open();
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

  private abandon(why: string): void {
    this.note("info", `abandoning the socket: ${why}`);
    this.connection.abandon();
    this.lost(why);
  }

  private drop(): void {
    if (!this.isSubscribed) return;
    this.isSubscribed = false;
    guarded(this.logger, "unsubscribed", () => this.delegate.unsubscribed());
  }

  /** The cable URL: the shared consumer's when there is one. */
  get cableUrl(): string {
    return (this.connection.consumer as { url?: string } | undefined)?.url ?? this.url;
  }

  /** Not subscribed: `refused` when the server said not to come back; `offline` when the browser says so; `connecting` lasts until the first attempt resolves. */
  private settle(): void {
    if (this.isSubscribed) this.setState("connected");
    else if (this.halted || this.rejected) this.setState("refused");
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
}

const browserOffline = (): boolean => typeof navigator !== "undefined" && navigator.onLine === false;
