// The events the courier dispatches, typed for `addEventListener` on `document`, `window` and elements
// through declaration merging of the DOM's event maps: `document.addEventListener("courier:failed",
// (e) => e.detail.reason)` type-checks. Types only: nothing here runs.
import type { OperationErrorDetail } from "./dom/operations.js";
import type { TriggerDetail } from "./dom/triggers.js";
import type { StaleReflex } from "./outbox/index.js";
import type { CableState, Operation, StageDetail } from "./protocol/types.js";
import type { DisconnectInfo } from "./transport/index.js";

export type { OperationErrorDetail, TriggerDetail, DisconnectInfo, StaleReflex };

/** `courier:state`, `courier:connected`, `courier:disconnected`. */
export interface StateDetail {
  state: CableState;
  previous: CableState;
  /** The server's last `{reason, reconnect}` (also `courier.lastDisconnect`). */
  disconnect: DisconnectInfo | undefined;
}

/** Every `courier:*` and `cable-ready:*` event by name, with its `CustomEvent` detail. */
export interface CourierEventMap {
  "courier:state": CustomEvent<StateDetail>;
  "courier:connected": CustomEvent<StateDetail>;
  "courier:disconnected": CustomEvent<StateDetail>;
  "courier:storage-degraded": CustomEvent<{ error: unknown }>;
  "courier:protocol-error": CustomEvent<{ error: Error; raw: unknown }>;
  "courier:operation-error": CustomEvent<OperationErrorDetail>;
  "courier:queued": CustomEvent<StageDetail>;
  "courier:sent": CustomEvent<StageDetail>;
  "courier:received": CustomEvent<StageDetail>;
  "courier:committed": CustomEvent<StageDetail>;
  "courier:failed": CustomEvent<StageDetail>;
  /** Cancelable: committed reflexes whose operations were not applied here (default: a Turbo replace visit). */
  "courier:stale": CustomEvent<{ reflexes: StaleReflex[] }>;
  /** Cancelable: a declarative `data-reflex` about to run (a controller claims it with preventDefault()). */
  "courier:trigger": CustomEvent<TriggerDetail>;
  "cable-ready:batch-complete": CustomEvent<{ batch: string }>;
}

/** `cable-ready:before-<operation>` (cancelable) and `cable-ready:after-<operation>`: the operation, with its element. */
export type CableReadyOperationEvent = CustomEvent<Operation>;

declare global {
  interface DocumentEventMap extends CourierEventMap {
    [name: `cable-ready:before-${string}`]: CableReadyOperationEvent;
    [name: `cable-ready:after-${string}`]: CableReadyOperationEvent;
  }
  interface HTMLElementEventMap extends CourierEventMap {
    [name: `cable-ready:before-${string}`]: CableReadyOperationEvent;
    [name: `cable-ready:after-${string}`]: CableReadyOperationEvent;
  }
  interface WindowEventMap extends CourierEventMap {}
}
