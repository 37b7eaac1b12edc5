// The controller mixin behind `useReflex`: gives a Stimulus controller `stimulate()`, runs its
// StimulusReflex lifecycle methods, and takes over declarative `data-reflex` reflexes addressed to it.
import type { Logger } from "../core/logger.js";
import { uuid } from "../dom/payload-id.js";
import { TRIGGER_EVENT, type TriggerDetail } from "../dom/triggers.js";
import { readStimulateArguments } from "./arguments.js";
import { controllerIdentifierFor, type ReflexHost } from "./lifecycle.js";
import { followReflex } from "./reflex-run.js";
import type { CourierLike, ReflexPromiseLike } from "./types.js";

export interface UseReflexOptions {
  /** The courier to send through; default the page's one, looked up at each `stimulate()`. */
  courier?: CourierLike | (() => CourierLike);
  /** Where a throwing lifecycle method is reported; default the Stimulus application's `handleError`. */
  logger?: Logger;
}

export interface ReflexMixin {
  /** `stimulate(target, [element], [options], ...args)`, as StimulusReflex's. */
  stimulate(target?: string, ...args: unknown[]): ReflexPromiseLike;
}

type Host = ReflexHost & Partial<ReflexMixin> & { disconnect?(): void };

/** Per controller instance: how to stop claiming declarative reflexes (installed once, reused on reconnect). */
const RELEASE = Symbol("cable-courier:release");
type Claimed = Host & { [RELEASE]?: { release?: () => void } };

function applicationLogger(host: ReflexHost): Logger {
  return {
    enabled: true,
    log(level, message, detail) {
      if (level !== "error") return;
      const error = detail instanceof Error ? detail : new Error(String(detail));
      if (host.application?.handleError) host.application.handleError(error, message, { identifier: host.identifier });
      else console.error(`[cable-courier] ${message}`, detail);
    },
  };
}

/** A declarative reflex whose class names this controller (`Counter#x` -> `counter`) runs through it, as in SR. */
function claimDeclarativeReflexes(host: Claimed): void {
  const state = (host[RELEASE] ??= wrapDisconnect(host));
  state.release?.();
  const claim = (event: Event): void => {
    const { target, element } = (event as CustomEvent<TriggerDetail>).detail;
    if (event.defaultPrevented || controllerIdentifierFor(target) !== host.identifier) return;
    event.preventDefault();
    host.stimulate?.(target, element).catch(() => {
      // Reported through reflexError and courier:failed; a click has no caller to reject to.
    });
  };
  const element = host.element;
  element.addEventListener(TRIGGER_EVENT, claim);
  state.release = () => element.removeEventListener(TRIGGER_EVENT, claim);
}

function wrapDisconnect(host: Claimed): { release?: () => void } {
  const state: { release?: () => void } = {};
  const original = host.disconnect;
  host.disconnect = function (this: unknown) {
    state.release?.();
    state.release = undefined;
    return original?.call(this);
  };
  return state;
}

/** Call from a controller's `connect()`. */
export function bindReflex<T extends ReflexHost>(
  controller: T,
  options: UseReflexOptions,
  defaultCourier: () => CourierLike,
): T & ReflexMixin {
  const host = controller as T & Claimed;
  const logger = options.logger ?? applicationLogger(host);
  const courier = (): CourierLike => {
    const chosen = options.courier;
    return typeof chosen === "function" ? chosen() : chosen ?? defaultCourier();
  };

  host.stimulate = (...argv: unknown[]): ReflexPromiseLike => {
    const call = readStimulateArguments(host.element, argv);
    const id = call.options.id ?? uuid();
    const run = { controller: host, element: call.element, target: call.target, id, error: null, payload: null };
    return followReflex(run, logger, () =>
      courier().stimulate(call.target, {
        ...call.options,
        id,
        element: call.element,
        controllerElement: host.element,
        reflexController: host.identifier,
        args: call.args,
      }),
    );
  };
  claimDeclarativeReflexes(host);
  // The page's courier must be running before the first click: its trigger observer is what turns a
  // `data-reflex` click into a reflex. `start()` returns the one already started at boot, if any.
  if (options.courier === undefined) defaultCourier();
  return host as T & ReflexMixin;
}
