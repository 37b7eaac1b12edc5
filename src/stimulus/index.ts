// `cable-courier/stimulus`: StimulusReflex's controller API on top of the courier: `useReflex(this)` for
// any controller, and `ReflexController`, a typed base class (this entry imports @hotwired/stimulus).
export { useReflex, register } from "./use-reflex.js";
export { ReflexController } from "./controller.js";
export { camelize, controllerIdentifierFor } from "./lifecycle.js";
export type { LifecycleStage, ReflexHost } from "./lifecycle.js";
export type { ReflexMixin, UseReflexOptions } from "./mixin.js";
export type { CourierLike, ReflexPromiseLike, ReflexResultLike, StimulateOptionsLike } from "./types.js";
