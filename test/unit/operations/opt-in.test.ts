import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { addRareOperations, rareOperations } from "../../../src/operations";
import { $, harness, type Harness } from "./helpers";

// The rare operations are not in the default table: a page that never opts in hears unknown-operation
// for them, and an Operations made before the opt-in applies them once it happened.
let h: Harness;
beforeEach(() => {
  h = harness();
  document.body.innerHTML = `<div id="box"></div>`;
  vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => {
  h.stop();
  vi.restoreAllMocks();
});

test("setStyle is unknown until addRareOperations(), then applies on an Operations made before", () => {
  expect(h.operations.has("setStyle")).toBe(false);
  h.operations.apply([{ operation: "setStyle", selector: "#box", name: "color", value: "red" }]);
  expect(h.errors.map((e) => e.reason)).toEqual(["unknown-operation"]);
  expect($("#box").style.color).toBe("");

  addRareOperations();
  expect(h.operations.has("setStyle")).toBe(true);
  h.operations.apply([{ operation: "setStyle", selector: "#box", name: "color", value: "red" }]);
  expect(h.errors).toHaveLength(1);
  expect($("#box").style.color).toBe("red");
});

test("the opt-in module holds only operations the default table lacks, and an app's own add() wins over it", () => {
  for (const name of Object.keys(rareOperations)) expect(harness().operations.has(name)).toBe(true);
  let ran = "";
  h.operations.add("setTitle", () => (ran = "mine"));
  h.operations.apply([{ operation: "setTitle", title: "x" }]);
  expect(ran).toBe("mine");
});
