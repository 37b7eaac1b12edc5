// The one error a reflex promise rejects with. Apps branch on `reason`, never on the message.
import type { FailureReason, Operation } from "../protocol/types.js";

export class ReflexError extends Error {
  override readonly name = "ReflexError";

  constructor(
    readonly reason: FailureReason,
    readonly id: string,
    readonly target: string,
    message?: string,
  ) {
    super(message ?? `reflex ${target} ${reason}`);
  }
}

/** What a reflex promise resolves with once the server committed it. */
export interface ReflexResult {
  id: string;
  target: string;
  operations: Operation[];
}

/** A promise that is addressable before it settles: `id` is the reflex id on the wire. */
export type ReflexPromise = Promise<ReflexResult> & { readonly id: string };

export interface Settle {
  resolve(result: ReflexResult): void;
  reject(error: ReflexError): void;
}

/** Failures are also reported as stage events, so a caller that never awaits is not an unhandled rejection. */
export function reflexPromise(id: string): { promise: ReflexPromise; settle: Settle } {
  let settle!: Settle;
  const promise = new Promise<ReflexResult>((resolve, reject) => (settle = { resolve, reject }));
  promise.catch(() => {});
  Object.defineProperty(promise, "id", { value: id, enumerable: true });
  return { promise: promise as ReflexPromise, settle };
}
