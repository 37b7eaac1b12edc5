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
  private _current: CableState = "connecting";
  private _isSubscribed = false;
  private _started = false;
  /** The server (or ActionCable) said not to reconnect; `lastDisconnect` says why. */
  private _halted = false;
  /** The server refused the subscription; we ask again on the next online/visible/pageshow. */
  private _rejected = false;
  /** A socket is open or opening, and we have not yet seen it go. */
  private _socketUp = false;
  private _attemptAt = 0;
  /** Sockets lost in a row without a subscription confirmed on any of them. */
  private _failures = 0;
  private readonly _url: string;
  private readonly _logger: Logger;
  private readonly _monitor: Monitor;
  private readonly _connection: Connection;
  private readonly _channel: Channel;
  private readonly _welcome: WelcomeDeadline;

  constructor(options: TransportOptions, private readonly _delegate: TransportDelegate) {
    this._logger = options.logger;
    this._welcome = new WelcomeDeadline(options.welcomeTimeout ?? DEFAULT_WELCOME_TIMEOUT, (timeout) => {
      if (this._started && this._socketUp && !this._isSubscribed && !this._rejected && !this._halted) {
        this._abandon(`no welcome and confirmation within ${timeout} ms`);
      }
    });
    this._url = options.url;
    this._monitor = new Monitor(options, {
      reconnect: () => this._attempt(),
      stale: (idle) => this._abandon(`no frame for ${idle} ms`),
      lastActivity: () => Math.max(this._attemptAt, this._connection.lastFrameAt()),
      wake: (reason) => this._wake(reason),
      offline: () => (this._socketUp ? this._abandon("the browser went offline") : this._settle()),
    });
    this._connection = new Connection(options, {
      disconnect: (info) => {
        this.lastDisconnect = info;
        this._note("info", `server disconnect: ${info.reason} (reconnect: ${info.reconnect})`);
        // ActionCable stops when `reconnect` is false or missing; so do we.
        if (!info.reconnect) this._halt(info.reason);
      },
      closed: () => this._lost("the socket closed"),
      protocolError: (error, raw) => this._delegate.protocolError(error, raw),
    });
    this._channel = new Channel(options.params, this._logger, {
      confirmed: () => this._confirmed(),
      disconnected: (willAttemptReconnect) => {
        if (!this._started) return;
        // ActionCable gave up: a disconnect frame, consumer.disconnect() by its owner, or a refused subprotocol.
        if (willAttemptReconnect === false) this._halt(this.lastDisconnect?.reason ?? "ActionCable stopped reconnecting");
        this._lost("the socket closed");
      },
      rejected: () => this._refused(),
      received: (data) => {
        if (this._started) guarded(this._logger, "received", () => this._delegate.received(data));
      },
    });
  }

  get state(): CableState {
    return this._current;
  }

  get subscribed(): boolean {
    return this._isSubscribed;
  }

  /** False when not sent: not subscribed, the socket is closed, or it has gone silent. */
  send(data: object): boolean {
    if (!this._isSubscribed || !this._channel.exists) return false;
    if (this._monitor.isStale()) {
      this._abandon("stale on send");
      return false;
    }
    return this._channel.send(data);
  }

  start(): void {
    if (this._started) return;
    this._started = true;
    this._halted = false;
    this.lastDisconnect = undefined;
    this._connection.watch();
    this._monitor.start();
    this._setState(browserOffline() ? "offline" : "connecting");
    this._socketUp = true;
    this._attemptAt = Date.now();
    this._monitor.watch();
    this._welcome.arm();
    this._subscribe();
  }

  stop(): void {
    if (!this._started) return;
    this._started = false;
    this._welcome.disarm();
    this._monitor.stop();
    this._connection.unwatch();
    this._channel.unsubscribe();
    this._connection.release();
    this._socketUp = false;
    this._drop();
    this._setState("disconnected");
  }

  private _subscribe(): void {
    this._rejected = false;
    this._channel.subscribe(this._connection.consumer);
  }

  private _confirmed(): void {
    if (!this._started) return;
    this._socketUp = true;
    this._welcome.disarm();
    this._monitor.connected();
    if (this._isSubscribed) return;
    this._isSubscribed = true;
    this._failures = 0;
    this._note("info", "subscription confirmed");
    this._setState("connected");
    guarded(this._logger, "subscribed", () => this._delegate.subscribed());
  }

  private _refused(): void {
    if (!this._started) return;
    this._rejected = true;
    this._welcome.disarm();
    this.lastDisconnect = { reason: "subscription_rejected", reconnect: false };
    this._note("warn", "the server rejected the subscription; asking again when the page wakes");
    this._drop();
    this._settle();
  }

  private _halt(reason: string): void {
    this._halted = true;
    this.lastDisconnect ??= { reason, reconnect: false };
    this._monitor.halt();
    this._note("warn", `not reconnecting: ${reason}`);
  }

  /** The socket is gone (closed, stale, abandoned): report it once, then reconnect unless halted. */
  private _lost(why: string): void {
    if (!this._started || !this._socketUp) return;
    this._socketUp = false;
    this._welcome.disarm();
    if (!this._isSubscribed) {
      guarded(this._logger, "socketLost", () => this._delegate.socketLost?.());
      if (++this._failures === HANDSHAKE_WARN_AFTER && !this._halted) {
        warnOnce(`unreachable ${this.cableUrl}`, `cannot connect to ${this.cableUrl} (${this._failures} attempts failed); still trying`);
      }
    }
    this._drop();
    this._settle();
    if (this._halted) return this._monitor.halt();
    const delay = this._monitor.lost();
    this._note("info", `socket lost (${why}); attempt ${this._monitor.attempts} in ${delay} ms`);
  }

  private _attempt(): void {
    if (!this._started || this._halted) return;
    if (this._socketUp && this._connection.isActive()) return;
    this._socketUp = true;
    this._attemptAt = Date.now();
    this._monitor.watch();
    this._welcome.arm();
    if (this._rejected) this._subscribe(); // a new socket is a new chance
    else this._channel.refresh(this._connection.consumer);
    this._connection.open();
  }

  private _wake(reason: string): void {
    if (!this._started) return;
    if (this._halted) return this._settle();
    this._note("debug", `woken by ${reason}`);
    this._monitor.resetBackoff();
    if (this._rejected) this._subscribe();
    this._settle();
    if (this._socketUp) this._monitor.check();
    else this._attempt();
  }

  private _abandon(why: string): void {
    this._note("info", `abandoning the socket: ${why}`);
    this._connection.abandon();
    this._lost(why);
  }

  private _drop(): void {
    if (!this._isSubscribed) return;
    this._isSubscribed = false;
    guarded(this._logger, "unsubscribed", () => this._delegate.unsubscribed());
  }

  /** The cable URL: the shared consumer's when there is one. */
  get cableUrl(): string {
    return (this._connection.consumer as { url?: string } | undefined)?.url ?? this._url;
  }

  /** Not subscribed: `refused` when the server said not to come back; `offline` when the browser says so; `connecting` lasts until the first attempt resolves. */
  private _settle(): void {
    if (this._isSubscribed) this._setState("connected");
    else if (this._halted || this._rejected) this._setState("refused");
    else if (browserOffline()) this._setState("offline");
    else if (this._current !== "connecting" || !this._socketUp || this._rejected) this._setState("disconnected");
  }

  private _setState(next: CableState): void {
    const previous = this._current;
    if (next === previous) return;
    this._current = next;
    this._note("debug", `state ${previous} → ${next}`);
    guarded(this._logger, "stateChanged", () => this._delegate.stateChanged(next, previous));
  }

  private _note(level: LogLevel, message: string): void {
    if (this._logger.enabled) this._logger.log(level, message);
  }
}

const browserOffline = (): boolean => typeof navigator !== "undefined" && navigator.onLine === false;
