import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type { Operation } from "../../../src/protocol/types";
import { $, harness, type Harness } from "./helpers";
import { addRareOperations } from "../../../src/operations";

// The rare operations are opt-in (cable-courier/operations); this file tests them beside the built-ins.
addRareOperations();

let h: Harness;
const apply = (...ops: Operation[]) => h.operations.apply(ops);

beforeEach(() => {
  h = harness();
  document.body.innerHTML = `<div id="box" class="one two"><span id="s">text</span></div><input id="i" value="v">`;
});
afterEach(() => {
  h.stop();
  document.body.innerHTML = "";
  vi.restoreAllMocks();
  expect(h.errors).toEqual([]);
});

describe("DOM mutations", () => {
  test("morph (childrenOnly, permanent)", () => {
    $("#box").innerHTML = `<span id="s">text</span><b id="p" data-reflex-permanent>mine</b>`;
    const span = $("#s");
    apply({ operation: "morph", selector: "#box", html: `<span id="s">new</span><b id="p" data-reflex-permanent>server</b>`,
      childrenOnly: true, permanentAttributeName: "data-reflex-permanent" });
    expect($("#s")).toBe(span);
    expect(span.textContent).toBe("new");
    expect($("#p").textContent).toBe("mine");
  });

  test("morph of the element itself, with focusSelector", () => {
    apply({ operation: "morph", selector: "#box", html: `<div id="box" class="three"><input id="f"></div>`, focusSelector: "#f" });
    expect($("#box").className).toBe("three");
    expect(document.activeElement).toBe($("#f"));
  });

  test("innerHtml, with focusSelector", () => {
    apply({ operation: "innerHtml", selector: "#box", html: `<input id="f">`, focusSelector: "#f" });
    expect($("#box").innerHTML).toBe(`<input id="f">`);
    expect(document.activeElement).toBe($("#f"));
  });

  test("outerHtml and replace", () => {
    apply({ operation: "outerHtml", selector: "#s", html: `<em id="e">e</em>` }, { operation: "replace", selector: "#e", html: "<i>i</i>" });
    expect($("#box").innerHTML).toBe("<i>i</i>");
  });

  test("append, prepend, insertAdjacentHtml, insertAdjacentText", () => {
    apply(
      { operation: "append", selector: "#box", html: "<b>end</b>" },
      { operation: "prepend", selector: "#box", html: "<b>start</b>" },
      { operation: "insertAdjacentHtml", selector: "#box", html: "<hr>", position: "beforebegin" },
      { operation: "insertAdjacentText", selector: "#s", text: "<not html>", position: "afterend" },
    );
    expect($("#box").innerHTML).toBe(`<b>start</b><span id="s">text</span>&lt;not html&gt;<b>end</b>`);
    expect($("#box").previousElementSibling?.tagName).toBe("HR");
  });

  test("remove and textContent (text, not html)", () => {
    apply({ operation: "textContent", selector: "#box", text: "<b>x</b>" }, { operation: "remove", selector: "#i" });
    expect($("#box").innerHTML).toBe("&lt;b&gt;x&lt;/b&gt;");
    expect(document.querySelector("#i")).toBeNull();
  });
});

describe("element properties", () => {
  test("setAttribute and removeAttribute", () => {
    apply({ operation: "setAttribute", selector: "#s", name: "title", value: 5 }, { operation: "removeAttribute", selector: "#box", name: "class" });
    expect($("#s").getAttribute("title")).toBe("5");
    expect($("#box").hasAttribute("class")).toBe(false);
  });

  test("addCssClass takes a space-separated string or an array", () => {
    apply({ operation: "addCssClass", selector: "#s", name: "a  b" }, { operation: "addCssClass", selector: "#s", name: ["c", "d e"] });
    expect(Array.from($("#s").classList)).toEqual(["a", "b", "c", "d", "e"]);
  });

  test("removeCssClass drops the class attribute once empty", () => {
    apply({ operation: "removeCssClass", selector: "#box", name: "one" });
    expect($("#box").className).toBe("two");
    apply({ operation: "removeCssClass", selector: "#box", name: ["two"] });
    expect($("#box").hasAttribute("class")).toBe(false);
  });

  test("setValue sets the live value", () => {
    apply({ operation: "setValue", selector: "#i", value: "typed by server" });
    expect(($("#i") as HTMLInputElement).value).toBe("typed by server");
  });

  test("setDatasetProperty takes a camelCase name", () => {
    apply({ operation: "setDatasetProperty", selector: "#s", name: "userId", value: "7" });
    expect($("#s").getAttribute("data-user-id")).toBe("7");
  });

  test("setStyle, setStyles and setProperty", () => {
    apply(
      { operation: "setStyle", selector: "#s", name: "backgroundColor", value: "red" },
      { operation: "setStyles", selector: "#s", styles: { color: "blue", fontWeight: "bold" } },
      { operation: "setProperty", selector: "#i", name: "disabled", value: true },
      { operation: "setProperty", selector: "#i", name: "noSuchProperty", value: 1 },
    );
    const style = $("#s").style;
    expect([style.backgroundColor, style.color, style.fontWeight]).toEqual(["red", "blue", "bold"]);
    expect(($("#i") as HTMLInputElement).disabled).toBe(true);
    expect("noSuchProperty" in $("#i")).toBe(false);
  });
});

describe("events, document and browser", () => {
  test("dispatchEvent on an element bubbles a cancelable CustomEvent with the detail", () => {
    const seen: CustomEvent[] = [];
    document.addEventListener("stimulus-reflex:morph-nothing", (e) => seen.push(e as CustomEvent), { once: true });
    apply({ operation: "dispatchEvent", selector: "#s", name: "stimulus-reflex:morph-nothing", detail: { reflexId: "r" } });
    expect(seen).toHaveLength(1);
    expect(seen[0].target).toBe($("#s"));
    expect([seen[0].bubbles, seen[0].cancelable]).toEqual([true, true]);
    expect(seen[0].detail).toEqual({ reflexId: "r" });
  });

  test("setFocus", () => {
    apply({ operation: "setFocus", selector: "#i" });
    expect(document.activeElement).toBe($("#i"));
  });

  test("setTitle and setMeta", () => {
    apply({ operation: "setTitle", title: "Hello" }, { operation: "setMeta", name: "theme-color", content: "#fff" },
      { operation: "setMeta", name: "theme-color", content: "#000" });
    expect(document.title).toBe("Hello");
    const metas = document.head.querySelectorAll('meta[name="theme-color"]');
    expect(metas).toHaveLength(1);
    expect(metas[0].getAttribute("content")).toBe("#000");
    metas[0].remove();
  });

  test("consoleLog picks the level", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    apply({ operation: "consoleLog", message: "careful", level: "warn" }, { operation: "consoleLog", message: "plain" });
    expect(warn).toHaveBeenCalledWith("careful");
    expect(log).toHaveBeenCalledWith("plain");
  });

  test("redirectTo prefers Turbo, then Turbolinks, then location.assign", () => {
    const win = window as unknown as Record<string, unknown>;
    const visits: unknown[][] = [];
    win.Turbo = { visit: (...args: unknown[]) => visits.push(["Turbo", ...args]) };
    win.Turbolinks = { visit: (...args: unknown[]) => visits.push(["Turbolinks", ...args]) };
    apply({ operation: "redirectTo", url: "/a" });
    delete win.Turbo;
    apply({ operation: "redirectTo", url: "/b", action: "replace" });
    delete win.Turbolinks;
    const assign = vi.spyOn(window.location, "assign").mockImplementation(() => {});
    apply({ operation: "redirectTo", url: "/c" });
    expect(visits).toEqual([["Turbo", "/a", { action: "advance" }], ["Turbolinks", "/b", { action: "replace" }]]);
    expect(assign).toHaveBeenCalledWith("/c");
  });

  test("pushState and replaceState", () => {
    apply({ operation: "pushState", url: "/pushed?x=1", state: { a: 1 } });
    expect(window.location.pathname + window.location.search).toBe("/pushed?x=1");
    expect(window.history.state).toEqual({ a: 1 });
    apply({ operation: "replaceState", url: "/replaced" });
    expect(window.location.pathname).toBe("/replaced");
  });
});
