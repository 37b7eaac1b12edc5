// `useReflex`: StimulusReflex's controller API on top of the courier, without importing @hotwired/stimulus
// (any object with `element` and `identifier` will do), so the IIFE build can carry it too.
import { start } from "../index.js";
import { bindReflex, type ReflexMixin, type UseReflexOptions } from "./mixin.js";
import type { ReflexHost } from "./lifecycle.js";

/**
 * Call in a controller's `connect()`: adds `this.stimulate(target, ...args)` and runs the controller's
 * StimulusReflex lifecycle methods (`beforeReflex`, `reflexSuccess`, `afterIncrement`, ...). The courier is
 * the page's one: `start()` with default options if the page has not started it, so call `start(options)`
 * before the Stimulus application starts to configure it.
 */
export function useReflex<T extends ReflexHost>(controller: T, options: UseReflexOptions = {}): T & ReflexMixin {
  return bindReflex(controller, options, () => start());
}

/** StimulusReflex's name for the same thing. */
export const register = useReflex;
