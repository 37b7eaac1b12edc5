// Issue 9 item 8: Operations.apply never throws, even when an operation breaks the DOM API the after
// event needs (setProperty "dispatchEvent"); the operations after it still run.
import { afterEach, beforeEach, expect, test } from "vitest";
import { addRareOperations } from "../../../src/operations";
import { $, harness, type Harness } from "./helpers";

addRareOperations(); // setProperty is opt-in (cable-courier/operations)

let h: Harness;
beforeEach(() => {
  h = harness();
  document.body.innerHTML = `<div id="a">a</div><div id="b">b</div>`;
});
afterEach(() => {
  h.stop();
  document.body.innerHTML = "";
});

test("setProperty dispatchEvent on the target: no throw, reported, and the next operation runs", () => {
  const errors: unknown[] = [];
  document.addEventListener("courier:operation-error", (event) => errors.push((event as CustomEvent).detail), { once: true });
  expect(() =>
    h.operations.apply([
      { operation: "setProperty", selector: "#a", name: "dispatchEvent", value: "oops" },
      { operation: "innerHtml", selector: "#b", html: "after" },
    ]),
  ).not.toThrow();
  expect($("#b").innerHTML).toBe("after");
  expect(errors).toEqual([expect.objectContaining({ reason: "error" })]);
});
