import { afterEach, expect, test, vi } from "vitest";
import { getSharedCourier, setSharedCourier, sharedSlot } from "../../../src/transport/shared";

const KEY = Symbol.for("cable-courier");
afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[KEY];
});

test("the slot lives on globalThis under Symbol.for('cable-courier')", () => {
  const courier = { name: "first" };
  expect(sharedSlot<object>().get()).toBeUndefined();
  sharedSlot<object>().set(courier);
  expect((globalThis as Record<symbol, unknown>)[KEY]).toBe(courier);
  expect(sharedSlot<object>().get()).toBe(courier);
  expect(getSharedCourier<object>()).toBe(courier);
  setSharedCourier({ name: "second" });
  expect(sharedSlot<{ name: string }>().get()?.name).toBe("second");
});

test("a second copy of the module finds the first copy's courier", async () => {
  const courier = { name: "first" };
  sharedSlot<object>().set(courier);
  vi.resetModules();
  // The query string makes Vite load a second instance of the module, as a second bundle on a page would.
  // @ts-expect-error TypeScript cannot resolve a module path with a query string.
  const copy: typeof import("../../../src/transport/shared") = await import("../../../src/transport/shared?copy=2");
  expect(copy.sharedSlot).not.toBe(sharedSlot);
  expect(copy.sharedSlot<object>().get()).toBe(courier);
});
