// One slot per page, shared by every copy of the bundle (ESM, IIFE, a second copy via another import
// map): `Symbol.for` returns the same symbol in all of them, so the second copy finds the first's courier.
const KEY = Symbol.for("cable-courier");

export interface SharedSlot<T> {
  get(): T | undefined;
  set(value: T): void;
  /** Empties the slot if it still holds `value` (a stopped courier must not be handed out again). */
  release(value: T): void;
}

export function sharedSlot<T>(): SharedSlot<T> {
  const global = globalThis as unknown as Record<symbol, unknown>;
  return {
    get: () => global[KEY] as T | undefined,
    set: (value) => {
      global[KEY] = value;
    },
    release: (value) => {
      if (global[KEY] === value) delete global[KEY];
    },
  };
}

export function getSharedCourier<T>(): T | undefined {
  return sharedSlot<T>().get();
}

export function setSharedCourier<T>(courier: T): void {
  sharedSlot<T>().set(courier);
}
