// The few ActionCable 8.1 internals the transport relies on (src/connection.js, connection_monitor.js),
// typed and used in this one file: they are not in @types/rails__actioncable.
import type { Consumer } from "@rails/actioncable";
import { GuardedSocket } from "./guard.js";

interface CableConnection {
  webSocket?: unknown;
  isActive(): boolean;
  open(): boolean;
  close(options?: { allowReconnect: boolean }): void;
  monitor: {
    /** `Date.now()` of the last frame ActionCable processed, on any socket of this connection. */
    pingedAt?: number;
    reconnectIfStale(): void;
    visibilityDidChange(): void;
  };
}

const connectionOf = (consumer: Consumer) => (consumer as unknown as { connection: CableConnection }).connection;

/**
 * On a consumer we own, our Monitor alone decides when a socket is dead and when to reopen it: the stock
 * monitor's 6 s × 1.15^n poll and its visibility reopen would race ours. Instance-level only: other
 * consumers of the same module keep the stock behaviour. Call before the consumer first connects (its
 * visibility listener is bound when the stock monitor starts).
 */
export function quietStockMonitor(consumer: Consumer): void {
  const { monitor } = connectionOf(consumer);
  monitor.reconnectIfStale = () => {};
  monitor.visibilityDidChange = () => {};
}

/** Open or connecting. */
export const isActive = (consumer: Consumer): boolean => connectionOf(consumer).isActive();

/** Opens a socket unless one is open or connecting. */
export function open(consumer: Consumer): void {
  const connection = connectionOf(consumer);
  if (!connection.isActive()) connection.open();
}

export const isCurrentSocket = (consumer: Consumer, socket: unknown): boolean => connectionOf(consumer).webSocket === socket;

/**
 * Tells ActionCable the socket is closed now. A guarded socket reports the close synchronously; an
 * unguarded one (another module copy's) is only asked to close, and closes when the browser says so.
 */
export function abandon(consumer: Consumer): void {
  const connection = connectionOf(consumer);
  if (connection.webSocket instanceof GuardedSocket) connection.webSocket.close();
  else connection.close();
}

/** `Date.now()` of the last frame on the current socket (0 if none), from the guard or from ActionCable. */
export function lastFrameAt(consumer: Consumer): number {
  const connection = connectionOf(consumer);
  const guardedAt = connection.webSocket instanceof GuardedSocket ? connection.webSocket.lastFrameAt : 0;
  return Math.max(guardedAt, connection.monitor.pingedAt ?? 0);
}
