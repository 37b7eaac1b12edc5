// Issue 10 item 9: enum options from the server are checked before they reach a DOM API; a bad one is
// reported (courier:operation-error) and the operation skipped, the rest of the batch still lands.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { addRareOperations } from "../../../src/operations";
import { $, harness, type Harness } from "./helpers";

addRareOperations(); // scrollIntoView is opt-in (cable-courier/operations)

let h: Harness;
beforeEach(() => {
  document.body.innerHTML = `<div id="box">x</div><p id="after"></p>`;
  h = harness();
});
afterEach(() => h.stop());

describe("scrollIntoView options", () => {
  test.each([
    ["behavior", "bogus"],
    ["behavior", 7],
    ["block", "top"],
    ["inline", { nested: true }],
  ])("%s = %j is reported and never reaches the element", (key, value) => {
    const spy = vi.fn();
    $("#box").scrollIntoView = spy;
    h.operations.apply([
      { operation: "scrollIntoView", selector: "#box", [key]: value },
      { operation: "textContent", selector: "#after", text: "still applied" },
    ]);
    expect(spy).not.toHaveBeenCalled();
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0].reason).toBe("error");
    expect(String((h.errors[0] as { message?: string }).message ?? h.errors[0].error)).toMatch(key);
    expect($("#after").textContent).toBe("still applied");
  });

  test("valid values pass through, absent ones are left out", () => {
    const spy = vi.fn();
    $("#box").scrollIntoView = spy;
    h.operations.apply([{ operation: "scrollIntoView", selector: "#box", behavior: "smooth", block: "center" }]);
    expect(spy).toHaveBeenCalledWith({ behavior: "smooth", block: "center" });
    expect(h.errors).toEqual([]);
  });
});
