// Dispatching namespaced DOM events, and isolating app callbacks so a broken listener never breaks delivery.
import type { Logger } from "./logger.js";

export function dispatch(target: EventTarget, name: string, detail: unknown, cancelable = false): boolean {
  const event = new CustomEvent(name, { bubbles: true, cancelable, detail });
  return target.dispatchEvent(event);
}

/** Runs an app-supplied callback; a throw is logged, never propagated. */
export function guarded<T>(logger: Logger, what: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    logger.log("error", `${what} threw`, error);
    return undefined;
  }
}
