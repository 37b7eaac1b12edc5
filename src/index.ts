// The public face of cable-courier: `start()` and the types an app needs. No logic lives here.
import { Courier } from "./courier";
import type { CourierOptions } from "./options";
import { sharedSlot } from "./transport/shared";

/**
 * Returns the page's one courier, creating it on first call. Later calls — from this bundle, the IIFE
 * build, or a second copy of either — return the same instance, so a page never holds two sockets.
 */
export function start(options?: CourierOptions): Courier {
  const slot = sharedSlot<Courier>();
  const existing = slot.get();
  if (existing) return existing;
  const courier = new Courier(options);
  slot.set(courier);
  courier.connect();
  return courier;
}

export { Courier } from "./courier";
export type { StimulateOptions } from "./courier";
export type { CourierOptions, OfflineMode } from "./options";
export { ReflexError } from "./outbox";
export type { ReflexPromise, ReflexResult, StageDetail } from "./outbox";
export type { CableState, Stage, FailureReason, Operation, ReflexPayload } from "./protocol/types";
export type { Logger, LogLevel } from "./core/logger";
export { VERSION } from "./dom/payload";
