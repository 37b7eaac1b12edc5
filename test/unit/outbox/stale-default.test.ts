// The default of `courier:stale`: a Turbo replace visit of the page shown, unless the app canceled it.
import { afterEach, expect, test, vi } from "vitest";
import { staleDefault } from "../../../src/dom/stale";

afterEach(() => void delete (globalThis as { Turbo?: unknown }).Turbo);

test("with Turbo on the page, a stale answer re-renders it with a replace visit", () => {
  const visit = vi.fn();
  (globalThis as { Turbo?: unknown }).Turbo = { visit };
  staleDefault(true);
  expect(visit).toHaveBeenCalledWith(location.href, { action: "replace" });
});

test("a canceled courier:stale leaves the page to the app", () => {
  const visit = vi.fn();
  (globalThis as { Turbo?: unknown }).Turbo = { visit };
  staleDefault(false);
  expect(visit).not.toHaveBeenCalled();
});

test("without Turbo nothing happens (and nothing throws)", () => {
  expect(() => staleDefault(true)).not.toThrow();
});
