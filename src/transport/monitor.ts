// Liveness and reconnection, kept apart from the state machine: when to try again, when a socket that
// says nothing is dead, and which browser events mean "try now".
import { Timer } from "../core/timer.js";

/** Capped exponential backoff with jitter: attempt 1 waits base/2..base, each attempt doubles, up to max/2..max. */
export function jitteredBackoff(base: number, max: number, random: () => number = Math.random): (attempt: number) => number {
  return (attempt) => {
    const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
    // Jitter downwards from the ceiling, so that clients dropped together (a deploy) spread out.
    return Math.round(ceiling * (1 - random() / 2));
  };
}

/** The transport's options of the same names, defaults included. */
export interface MonitorOptions {
  reconnectBase?: number;
  reconnectMax?: number;
  staleAfter?: number;
  /** Delay before reconnect attempt n (1-based); default `jitteredBackoff(reconnectBase, reconnectMax)`. */
  strategy?: (attempt: number) => number;
}

export interface MonitorDelegate {
  /** Time to try again. */
  reconnect(): void;
  /** The socket has said nothing for `idle` ms (≥ staleAfter). */
  stale(idle: number): void;
  /** `Date.now()` of the last sign of life: a frame, or the start of the current attempt. */
  lastActivity(): number;
  /** Conditions changed for the better: try at once. */
  wake(reason: "online" | "visible" | "pageshow"): void;
  offline(): void;
}

export class Monitor {
  /** Reconnect attempts since the last confirmed subscription. */
  attempts = 0;
  private _running = false;
  private readonly _staleAfter: number;
  private readonly _strategy: (attempt: number) => number;
  /** Fires `reconnect` after the backoff delay (default 50 ms doubling to 3000 ms, jittered). */
  private readonly _reconnectTimer = new Timer(() => this._delegate.reconnect());
  /** Re-checks liveness every `staleAfter` (default 6500 ms: two missed 3 s pings and a margin). */
  private readonly _livenessTimer = new Timer(() => this.check());

  constructor(
    options: MonitorOptions,
    private readonly _delegate: MonitorDelegate,
  ) {
    this._staleAfter = options.staleAfter ?? 6500;
    this._strategy = options.strategy ?? jitteredBackoff(options.reconnectBase ?? 50, options.reconnectMax ?? 3000);
  }

  start(): void {
    if (this._running) return;
    this._running = true;
    if (typeof window === "undefined") return;
    window.addEventListener("online", this._onOnline);
    window.addEventListener("offline", this._onOffline);
    window.addEventListener("pageshow", this._onPageShow);
    document.addEventListener("visibilitychange", this._onVisibility);
  }

  stop(): void {
    this.halt();
    if (!this._running) return;
    this._running = false;
    if (typeof window === "undefined") return;
    window.removeEventListener("online", this._onOnline);
    window.removeEventListener("offline", this._onOffline);
    window.removeEventListener("pageshow", this._onPageShow);
    document.removeEventListener("visibilitychange", this._onVisibility);
  }

  /** A socket is open or being opened: watch that it keeps talking. */
  watch(): void {
    if (!this._livenessTimer.pending) this._livenessTimer.schedule(this._staleAfter);
  }

  connected(): void {
    this.attempts = 0;
    this._reconnectTimer.cancel();
    this.watch();
  }

  /** The socket is gone: schedule the next attempt; returns its delay. */
  lost(): number {
    this._livenessTimer.cancel();
    const delay = Math.max(0, this._strategy(++this.attempts));
    this._reconnectTimer.schedule(delay);
    return delay;
  }

  /** No more attempts until `watch()` / `lost()` again. */
  halt(): void {
    this._livenessTimer.cancel();
    this._reconnectTimer.cancel();
  }

  /** Starts the backoff over; the next `lost()` waits about `reconnectBase` again. */
  resetBackoff(): void {
    this.attempts = 0;
    this._reconnectTimer.cancel();
  }

  idle(): number {
    return Date.now() - this._delegate.lastActivity();
  }

  /** True when a watched socket has been silent for `staleAfter` (timers may lag in background tabs). */
  isStale(): boolean {
    return this._livenessTimer.pending && this.idle() >= this._staleAfter;
  }

  /** Checks liveness now; a live socket is checked again when it would next turn stale. */
  check(): void {
    const idle = this.idle();
    if (idle >= this._staleAfter) {
      this._livenessTimer.cancel();
      this._delegate.stale(idle);
    } else {
      this._livenessTimer.schedule(this._staleAfter - idle);
    }
  }

  private readonly _onOnline = () => this._delegate.wake("online");
  private readonly _onOffline = () => this._delegate.offline();
  private readonly _onPageShow = () => this._delegate.wake("pageshow");
  private readonly _onVisibility = () => {
    if (document.visibilityState === "visible") this._delegate.wake("visible");
  };
}
