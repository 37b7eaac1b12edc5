// @vitest-environment node
import { describe, expect, it } from "vitest";
import * as ops from "../../../src/server/operations";

describe("operation helpers (CableReady 5 shape)", () => {
  it("builds a morph as StimulusReflex sends it", () => {
    expect(ops.morph("#count", "1")).toEqual({
      operation: "morph", selector: "#count", html: "1", childrenOnly: true, permanentAttributeName: "data-reflex-permanent",
    });
    expect(ops.morph("#a", "<p id=a></p>", { childrenOnly: false, permanentAttributeName: "data-keep", focusSelector: "#b" })).toEqual({
      operation: "morph", selector: "#a", html: "<p id=a></p>", childrenOnly: false, permanentAttributeName: "data-keep", focusSelector: "#b",
    });
  });

  it.each([
    [ops.innerHtml("#a", "<b>x</b>"), { operation: "innerHtml", selector: "#a", html: "<b>x</b>" }],
    [ops.outerHtml("#a", "<i id=a></i>"), { operation: "outerHtml", selector: "#a", html: "<i id=a></i>" }],
    [ops.append("#list", "<li>1</li>"), { operation: "append", selector: "#list", html: "<li>1</li>" }],
    [ops.prepend("#list", "<li>0</li>"), { operation: "prepend", selector: "#list", html: "<li>0</li>" }],
    [ops.remove("#gone"), { operation: "remove", selector: "#gone" }],
    [ops.setAttribute("#a", "title", "t"), { operation: "setAttribute", selector: "#a", name: "title", value: "t" }],
    [ops.removeAttribute("#a", "hidden"), { operation: "removeAttribute", selector: "#a", name: "hidden" }],
    [ops.addCssClass("#a", ["x", "y"]), { operation: "addCssClass", selector: "#a", name: ["x", "y"] }],
    [ops.removeCssClass("#a", "x"), { operation: "removeCssClass", selector: "#a", name: "x" }],
    [ops.textContent("#a", "hi"), { operation: "textContent", selector: "#a", text: "hi" }],
    [ops.setValue("#in", "v"), { operation: "setValue", selector: "#in", value: "v" }],
    [ops.dispatchEvent("app:done"), { operation: "dispatchEvent", name: "app:done" }],
    [ops.dispatchEvent("app:done", { n: 1 }, "#a"), { operation: "dispatchEvent", name: "app:done", detail: { n: 1 }, selector: "#a" }],
    [ops.setFocus("#in"), { operation: "setFocus", selector: "#in" }],
    [ops.remove(".row", { selectAll: true }), { operation: "remove", selector: ".row", selectAll: true }],
  ])("builds %j", (built, expected) => {
    expect(built).toEqual(expected);
  });

  it("does not let options override the operation's own keys", () => {
    expect(ops.textContent("#a", "hi", { operation: "remove", text: "x" })).toEqual({ operation: "textContent", selector: "#a", text: "hi" });
  });
});
