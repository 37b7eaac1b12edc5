// Our channel subscription on the consumer, and ActionCable's callbacks for it. Whether a callback still
// matters (the transport may have stopped) is the transport's call, not ours.
import type { Consumer, Subscription } from "@rails/actioncable";
import { guarded } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { ChannelParams } from "../protocol/types.js";
import { orderedParams } from "../protocol/validate.js";

export interface ChannelDelegate {
  confirmed(): void;
  /** `willAttemptReconnect === false`: ActionCable has given up on the connection. */
  disconnected(willAttemptReconnect: boolean | undefined): void;
  rejected(): void;
  received(data: unknown): void;
}

export class Channel {
  private _subscription: Subscription | undefined;

  constructor(
    private readonly _params: ChannelParams | (() => ChannelParams),
    private readonly _logger: Logger,
    private readonly _delegate: ChannelDelegate,
  ) {}

  /** False when there is no subscription: never made, ActionCable threw on it, or unsubscribed. */
  get exists(): boolean {
    return this._subscription !== undefined;
  }

  subscribe(consumer: Consumer): void {
    // ActionCable's identifier is JSON.stringify(params), so the key order is fixed here.
    this._subscription = guarded(this._logger, "ActionCable subscribe", () =>
      consumer.subscriptions.create(this._current(), {
        connected: () => this._delegate.confirmed(),
        disconnected: ({ willAttemptReconnect }: { willAttemptReconnect?: boolean }) =>
          this._delegate.disconnected(willAttemptReconnect),
        rejected: () => this._delegate.rejected(),
        received: (data: unknown) => this._delegate.received(data),
      }),
    );
  }

  /** Before a new socket: params that changed since the subscription was made mean a new subscription. */
  refresh(consumer: Consumer): void {
    const current = this._subscription;
    if (!current || current.identifier === JSON.stringify(this._current())) return;
    this._subscription = undefined;
    guarded(this._logger, "ActionCable unsubscribe", () => current.unsubscribe());
    this.subscribe(consumer);
  }

  send(data: object): boolean {
    const subscription = this._subscription;
    if (!subscription) return false;
    return guarded(this._logger, "ActionCable send", () => subscription.send(data)) ?? false;
  }

  unsubscribe(): void {
    const subscription = this._subscription;
    this._subscription = undefined;
    guarded(this._logger, "ActionCable unsubscribe", () => subscription?.unsubscribe());
  }

  private _current(): ChannelParams {
    const params = this._params;
    return orderedParams(typeof params === "function" ? params() : params);
  }
}
