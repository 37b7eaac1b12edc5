// The welcome/confirm step has a deadline. A server that never sends `welcome` (or sends one ActionCable
// cannot use), or never confirms the subscription, would otherwise leave the page `connecting` for ever:
// its pings keep the socket from going stale. Past `welcomeTimeout` from the attempt, the socket is given
// up and the monitor reconnects with its usual backoff.
import { Timer } from "../core/timer.js";

/** Default deadline, from the start of an attempt to `confirm_subscription`. */
export const DEFAULT_WELCOME_TIMEOUT = 5000;

export class WelcomeDeadline {
  private readonly _timer: Timer;

  constructor(
    private readonly _timeout: number,
    expired: (timeout: number) => void,
  ) {
    this._timer = new Timer(() => expired(this._timeout));
  }

  /** A new attempt began: the server has `timeout` ms to welcome and confirm. */
  arm(): void {
    if (this._timeout > 0 && Number.isFinite(this._timeout)) this._timer.schedule(this._timeout);
  }

  /** Confirmed, lost, refused or stopped: nothing to wait for. */
  disarm(): void {
    this._timer.cancel();
  }
}
