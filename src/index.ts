// The public face of cable-courier: `start()` and the types an app needs. No logic lives here.
import { Courier } from "./courier.js";
import { differingOptions, type CourierOptions } from "./options.js";
import { warnOnce } from "./core/warn.js";
import { sharedSlot } from "./transport/shared.js";

/**
 * Returns the page's one courier, creating it on first call. Later calls — from this bundle, the IIFE
 * build, or a second copy of either — return the same instance, so a page never holds two sockets.
 */
export function start(options?: CourierOptions): Courier {
  const slot = sharedSlot<Courier>();
  const existing = slot.get();
  if (existing) {
    const differs = options && existing.options ? differingOptions(options, existing.options) : [];
    if (differs.length) {
      warnOnce(
        "start-options",
        `start() was called again with other options (${differs.join(", ")}); the running courier keeps its own. ` +
          "Call start(options) before anything else starts it (useReflex starts one with the defaults).",
      );
    }
    return existing;
  }
  const courier = new Courier(options);
  slot.set(courier);
  courier.connect();
  return courier;
}

export { Courier } from "./courier.js";
export type { StimulateOptions } from "./courier.js";
export type { CourierOptions, OfflineMode } from "./options.js";
export { ReflexError } from "./outbox/index.js";
export type { ReflexPromise, ReflexResult, StageDetail } from "./outbox/index.js";
export type { CableState, Stage, FailureReason, Operation, ReflexPayload } from "./protocol/types.js";
export type { Logger, LogLevel } from "./core/logger.js";
export { VERSION } from "./dom/payload.js";
export { morph, type MorphOptions } from "./dom/morph.js";
export type { CourierEventMap, StateDetail, CableReadyOperationEvent, OperationErrorDetail, TriggerDetail, DisconnectInfo, StaleReflex } from "./events.js";
