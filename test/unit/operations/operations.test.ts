import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { Operation } from "../../../src/protocol/types";
import { $, harness, recordEvents, type Harness } from "./helpers";

let h: Harness;

beforeEach(() => {
  h = harness();
  document.body.innerHTML = `<div id="a">a</div><div id="b">b</div><p class="item">1</p><p class="item">2</p>`;
});
afterEach(() => {
  h.stop();
  document.body.innerHTML = "";
});

describe("Operations lifecycle", () => {
  test("before and after events, kebab-cased, bubble from the element with the operation as detail", () => {
    const events = recordEvents(["cable-ready:before-inner-html", "cable-ready:after-inner-html"]);
    let htmlAtBefore = "";
    document.addEventListener("cable-ready:before-inner-html", () => (htmlAtBefore = $("#a").innerHTML), { once: true });
    h.operations.apply([{ operation: "innerHtml", selector: "#a", html: "<b>x</b>", reflexId: "r1" }]);
    events.stop();
    expect(events.seen.map((e) => e.name)).toEqual(["cable-ready:before-inner-html", "cable-ready:after-inner-html"]);
    expect(events.seen.every((e) => e.target === $("#a"))).toBe(true);
    expect(events.seen[0].detail).toMatchObject({ operation: "innerHtml", reflexId: "r1", element: $("#a") });
    expect(htmlAtBefore).toBe("a");
    expect($("#a").innerHTML).toBe("<b>x</b>");
  });

  test("preventDefault on the before event skips the operation (and its after event), not the batch", () => {
    const events = recordEvents(["cable-ready:after-text-content"]);
    const cancel = (event: Event) => {
      if ((event.target as Element).id === "a") event.preventDefault();
    };
    document.addEventListener("cable-ready:before-text-content", cancel);
    h.operations.apply([
      { operation: "textContent", selector: "#a", text: "changed" },
      { operation: "textContent", selector: "#b", text: "changed" },
    ]);
    document.removeEventListener("cable-ready:before-text-content", cancel);
    events.stop();
    expect($("#a").textContent).toBe("a");
    expect($("#b").textContent).toBe("changed");
    expect(events.seen.map((e) => (e.target as Element).id)).toEqual(["b"]);
  });

  test("a before listener may set detail.cancel (CableReady style) or edit the operation", () => {
    const edit = (event: Event) => {
      const detail = (event as CustomEvent<Operation>).detail;
      if ((event.target as Element).id === "a") detail.cancel = true;
      else detail.text = "edited";
    };
    document.addEventListener("cable-ready:before-text-content", edit);
    const op: Operation = { operation: "textContent", selector: "#b", text: "sent" };
    h.operations.apply([{ operation: "textContent", selector: "#a", text: "x" }, op]);
    document.removeEventListener("cable-ready:before-text-content", edit);
    expect($("#a").textContent).toBe("a");
    expect($("#b").textContent).toBe("edited");
    expect(op).toEqual({ operation: "textContent", selector: "#b", text: "sent" }); // caller's op untouched
  });

  test("no selector targets the document", () => {
    const events = recordEvents(["cable-ready:before-dispatch-event", "my:event"]);
    h.operations.apply([{ operation: "dispatchEvent", name: "my:event", detail: { n: 1 } }]);
    events.stop();
    expect(events.seen.map((e) => [e.name, e.target === document])).toEqual([
      ["cable-ready:before-dispatch-event", true],
      ["my:event", true],
    ]);
    expect(events.seen[1].detail).toEqual({ n: 1 });
  });

  test("selectAll applies to every match, with events per element", () => {
    const events = recordEvents(["cable-ready:after-add-css-class"]);
    h.operations.apply([{ operation: "addCssClass", selector: ".item", selectAll: true, name: "hit" }]);
    events.stop();
    expect(Array.from(document.querySelectorAll(".item.hit"))).toHaveLength(2);
    expect(events.seen).toHaveLength(2);
  });

  test("without selectAll only the first match changes", () => {
    h.operations.apply([{ operation: "addCssClass", selector: ".item", name: "hit" }]);
    expect(Array.from(document.querySelectorAll(".item.hit"))).toHaveLength(1);
  });

  test("after-outer-html fires on the element that took the old one's place", () => {
    const events = recordEvents(["cable-ready:after-outer-html"]);
    h.operations.apply([{ operation: "outerHtml", selector: "#b", html: `<section id="b2">new</section>` }]);
    events.stop();
    expect(events.seen[0].target).toBe($("#b2"));
  });

  test("after-remove fires on the document", () => {
    const events = recordEvents(["cable-ready:after-remove"]);
    h.operations.apply([{ operation: "remove", selector: "#a" }]);
    events.stop();
    expect(events.seen[0].target).toBe(document);
    expect(document.querySelector("#a")).toBeNull();
  });

  test("batch-complete fires after the last operation of a batch", () => {
    const events = recordEvents(["cable-ready:batch-complete", "cable-ready:after-text-content"]);
    h.operations.apply([
      { operation: "textContent", selector: "#a", text: "1", batch: "x" },
      { operation: "textContent", selector: "#b", text: "2", batch: "x" },
    ]);
    events.stop();
    expect(events.seen.map((e) => e.name)).toEqual([
      "cable-ready:after-text-content",
      "cable-ready:after-text-content",
      "cable-ready:batch-complete",
    ]);
    expect(events.seen[2].detail).toEqual({ batch: "x" });
  });
});

describe("Operations errors", () => {
  test("a missing element is reported and the rest of the batch still applies", () => {
    h.operations.apply([
      { operation: "innerHtml", selector: "#nope", html: "x" },
      { operation: "innerHtml", selector: "#b", html: "applied" },
    ]);
    expect($("#b").innerHTML).toBe("applied");
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toMatchObject({ reason: "missing-element", operation: { selector: "#nope" } });
    expect(h.warnings).toEqual([{ level: "warn", message: expect.stringContaining("#nope") }]);
  });

  test("an unknown operation is reported and skipped, without events", () => {
    const events = recordEvents(["cable-ready:before-frobnicate"]);
    h.operations.apply([
      { operation: "frobnicate", selector: "#a" },
      { operation: "textContent", selector: "#a", text: "ok" },
    ]);
    events.stop();
    expect(events.seen).toEqual([]);
    expect(h.errors.map((e) => e.reason)).toEqual(["unknown-operation"]);
    expect($("#a").textContent).toBe("ok");
  });

  test("an operation that throws is reported and the next still applies", () => {
    h.operations.apply([
      { operation: "setAttribute", selector: "#a", name: "bad name!", value: "1" },
      { operation: "addCssClass", selector: "#a", name: { not: "a class" } },
      { operation: "innerHtml", selector: "p.item", html: "next" },
    ]);
    expect(h.errors.map((e) => e.reason)).toEqual(["error", "error"]);
    expect(h.errors[1].message).toMatch(/"name" must be a string/);
    expect($("p.item").innerHTML).toBe("next");
  });

  test("an invalid CSS selector is reported, not thrown", () => {
    h.operations.apply([{ operation: "remove", selector: "##" }]);
    expect(h.errors.map((e) => e.reason)).toEqual(["error"]);
  });

  test("an element operation without a selector is reported", () => {
    h.operations.apply([{ operation: "innerHtml", html: "x" }]);
    expect(h.errors[0]).toMatchObject({ reason: "error", message: expect.stringContaining("needs a selector") });
  });
});

describe("Operations envelope", () => {
  test("a valid envelope is applied", () => {
    expect(h.operations.applyEnvelope({ cableReady: true, operations: [{ operation: "textContent", selector: "#a", text: "z" }] })).toBe(true);
    expect($("#a").textContent).toBe("z");
  });

  test.each([
    ["null", null],
    ["a string", "cableReady"],
    ["no flag", { operations: [] }],
    ["flag not true", { cableReady: "yes", operations: [] }],
    ["operations not an array", { cableReady: true, operations: { operation: "remove", selector: "#a" } }],
  ])("a malformed envelope (%s) is reported and ignored", (_what, data) => {
    expect(() => h.operations.applyEnvelope(data)).not.toThrow();
    expect(h.operations.applyEnvelope(data)).toBe(false);
    expect(h.errors[0]).toMatchObject({ reason: "malformed", operation: null, error: data });
    expect(document.querySelector("#a")).not.toBeNull();
  });

  test("malformed entries inside a valid envelope are reported; the others apply", () => {
    h.operations.applyEnvelope({ cableReady: true, operations: [42, { selector: "#a" }, { operation: "remove", selector: "#a" }] });
    expect(h.errors.map((e) => e.reason)).toEqual(["malformed", "malformed"]);
    expect(document.querySelector("#a")).toBeNull();
  });
});

describe("Operations.add", () => {
  test("a custom operation gets selectors, events and error reporting", () => {
    const calls: [string | null, boolean][] = [];
    expect(h.operations.has("highlight")).toBe(false);
    h.operations.add("highlight", (op, element, doc) => {
      calls.push([element?.id ?? null, doc === document]);
      element?.setAttribute("data-color", String(op.color));
    });
    expect(h.operations.has("highlight")).toBe(true);
    const events = recordEvents(["cable-ready:before-highlight", "cable-ready:after-highlight"]);
    h.operations.apply([{ operation: "highlight", selector: "#b", color: "red" }]);
    events.stop();
    expect(calls).toEqual([["b", true]]);
    expect($("#b").dataset.color).toBe("red");
    expect(events.seen.map((e) => e.name)).toEqual(["cable-ready:before-highlight", "cable-ready:after-highlight"]);
  });

  test("a custom operation that throws is reported", () => {
    h.operations.add("explode", () => {
      throw new Error("boom");
    });
    document.body.innerHTML = `<div id="next"></div>`;
    h.operations.apply([{ operation: "explode" }, { operation: "setAttribute", selector: "#next", name: "data-after", value: "yes" }]);
    expect(h.errors[0]).toMatchObject({ reason: "error", message: "explode failed: boom" });
    expect(document.querySelector("#next")?.getAttribute("data-after")).toBe("yes");
  });

  test("has() knows the built-ins and add() rejects nonsense", () => {
    for (const name of ["morph", "innerHtml", "outerHtml", "append", "prepend", "remove", "replace", "textContent",
      "setAttribute", "removeAttribute", "addCssClass", "removeCssClass", "setValue", "setDatasetProperty",
      "setFocus", "dispatchEvent", "pushState", "redirectTo"]) {
      expect(h.operations.has(name), name).toBe(true);
    }
    expect(() => h.operations.add("", () => {})).toThrow(TypeError);
    expect(() => h.operations.add("x", "nope" as never)).toThrow(TypeError);
  });
});
