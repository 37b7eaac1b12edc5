// A typed Stimulus base class: `class extends ReflexController` gives `this.stimulate()` a type under
// `tsc --strict`, which `useReflex(this)` cannot (a call cannot change the type of `this`).
import { Controller } from "@hotwired/stimulus";
import type { ReflexMixin, UseReflexOptions } from "./mixin.js";
import type { ReflexPromiseLike } from "./types.js";
import { useReflex } from "./use-reflex.js";

export class ReflexController<E extends Element = Element> extends Controller<E> implements ReflexMixin {
  /** Passed to `useReflex` (e.g. a `courier`); override as a static field. */
  static reflexOptions: UseReflexOptions = {};

  /** Binds the reflex API; an override of `connect()` must call `super.connect()`. */
  override connect(): void {
    this._bindReflex();
  }

  /** `stimulate(target, [element], [options], ...args)`, as StimulusReflex's. */
  stimulate(target?: string, ...args: unknown[]): ReflexPromiseLike {
    // useReflex sets an own `stimulate`; until connect() ran (or when an override skipped super), bind now.
    if (!Object.prototype.hasOwnProperty.call(this, "stimulate")) this._bindReflex();
    return (this as ReflexMixin).stimulate(target, ...args);
  }

  private _bindReflex(): void {
    useReflex(this, (this.constructor as typeof ReflexController).reflexOptions);
  }
}
