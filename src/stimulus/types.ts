// The courier as the mixin sees it. Structural on purpose: the public entry's `Courier` satisfies it,
// and tests can pass a double without loading the transport or the outbox.
import type { PayloadOptions } from "../dom/payload.js";
import type { Operation } from "../protocol/types.js";

export interface StimulateOptionsLike extends PayloadOptions {
  retry?: "safe" | "unsafe";
}

export interface ReflexResultLike {
  id: string;
  target: string;
  operations: Operation[];
}

/** The reflex promise: resolves when committed, rejects (a `ReflexError` with `.reason`) when it fails. */
export type ReflexPromiseLike = Promise<ReflexResultLike> & { readonly id: string };

export interface CourierLike {
  stimulate(target: string, options: StimulateOptionsLike): ReflexPromiseLike;
}
