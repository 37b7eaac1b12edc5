// Follows one reflex from `before` to its end and calls the controller's lifecycle methods. Each reflex
// keeps only its own closure: listeners for its own id, removed when it settles, so nothing accumulates
// per controller or per page.
import type { Logger } from "../core/logger.js";
import type { Operation } from "../protocol/types.js";
import { runStage, type LifecycleStage, type ReflexRun } from "./lifecycle.js";
import type { ReflexPromiseLike, ReflexResultLike } from "./types.js";

/** The courier's stage events that map onto SR stages; the terminal ones come from the promise. */
const STAGE_EVENTS: Record<string, LifecycleStage> = {
  "courier:queued": "queued",
  "courier:sent": "delivered",
  "courier:received": "received",
};

type Outcome = "halted" | "forbidden" | "nothing" | undefined;

/** How StimulusReflex reports a reflex that ran but morphed nothing, or was stopped. */
function outcomeOf(operations: Operation[]): Outcome {
  for (const op of operations) {
    if (op.operation !== "dispatchEvent" || typeof op.name !== "string") continue;
    const match = /^stimulus-reflex:morph-(halted|forbidden|nothing)$/.exec(op.name);
    if (match) return match[1] as Outcome;
  }
  return undefined;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : String(error);
}

/**
 * Calls `before`, then `send()` (the courier), then the stages as they happen:
 * committed → success, after, finalize (SR's order; `nothing` skips finalize, as SR does);
 * halted / forbidden → only that callback (as SR 3.5); failed → error, after.
 */
export function followReflex(run: ReflexRun, logger: Logger, send: () => ReflexPromiseLike): ReflexPromiseLike {
  const doc = run.controller.element.ownerDocument;
  const onStage = (event: Event): void => {
    if ((event as CustomEvent<{ id?: string }>).detail?.id !== run.id) return;
    if (!runStage(run, STAGE_EVENTS[event.type], logger)) stop(); // the controller left the page: forget it
  };
  const stop = (): void => Object.keys(STAGE_EVENTS).forEach((type) => doc.removeEventListener(type, onStage, true));

  runStage(run, "before", logger);
  Object.keys(STAGE_EVENTS).forEach((type) => doc.addEventListener(type, onStage, true));
  let promise: ReflexPromiseLike;
  try {
    promise = send();
  } catch (error) {
    stop();
    throw error;
  }

  promise.then(
    (result: ReflexResultLike) => {
      stop();
      run.payload = result.operations.find((op) => op.payload !== undefined)?.payload ?? null;
      const outcome = outcomeOf(result.operations);
      if (outcome === "halted" || outcome === "forbidden") return void runStage(run, outcome, logger);
      if (runStage(run, "success", logger) && runStage(run, "after", logger) && outcome !== "nothing") {
        runStage(run, "finalize", logger);
      }
    },
    (error: unknown) => {
      stop();
      run.error = errorText(error);
      const reason = (error as { reason?: unknown } | null)?.reason;
      if (runStage(run, "error", logger, { error, reason })) runStage(run, "after", logger);
    },
  );
  return promise;
}
