import { afterEach, describe, expect, test } from "vitest";
import { morph } from "../../../src/dom/morph";

const stamp = Symbol("stamp");
type Stamped = Element & { [stamp]?: string };

function mark(element: Element | null, value: string): void {
  (element as Stamped)[stamp] = value;
}
function stampOf(element: Element | null): string | undefined {
  return (element as Stamped | null)?.[stamp];
}
function $(selector: string): HTMLElement {
  const element = document.querySelector<HTMLElement>(selector);
  if (!element) throw new Error(`no ${selector}`);
  return element;
}

afterEach(() => {
  document.body.innerHTML = "";
});

describe("morph", () => {
  test("childrenOnly with a bare text fragment (StimulusReflex's selector morph)", () => {
    document.body.innerHTML = `<p>Count: <span id="count">0</span></p>`;
    const span = $("#count");
    morph(span, "1", { childrenOnly: true });
    expect($("#count")).toBe(span);
    expect(span.textContent).toBe("1");
  });

  test("childrenOnly parses any fragment, e.g. table rows", () => {
    document.body.innerHTML = `<table><tbody id="rows"><tr id="r1"><td>a</td></tr></tbody></table>`;
    const first = $("#r1");
    morph($("#rows"), `<tr id="r0"><td>z</td></tr><tr id="r1"><td>b</td></tr>`, { childrenOnly: true });
    expect(Array.from($("#rows").children).map((tr) => tr.id)).toEqual(["r0", "r1"]);
    expect($("#r1")).toBe(first);
    expect(first.textContent).toBe("b");
  });

  test("matches elements by id, so reordered keyed elements keep their nodes", () => {
    document.body.innerHTML = `<ul id="list"><li id="a">A</li><li id="b">B</li><li id="c">C</li></ul>`;
    for (const id of ["a", "b", "c"]) mark($(`#${id}`), id);
    morph($("#list"), `<li id="c">C!</li><li id="a">A</li><li id="b">B</li>`, { childrenOnly: true });
    const items = Array.from($("#list").children);
    expect(items.map((li) => stampOf(li))).toEqual(["c", "a", "b"]);
    expect(items[0].textContent).toBe("C!");
  });

  test("a permanent element is the same node, untouched, even when the server sends something else", () => {
    document.body.innerHTML = `<div id="box"><video id="v" data-reflex-permanent src="a.mp4"></video><p>old</p></div>`;
    const video = $("#v");
    mark(video, "playing");
    morph($("#box"), `<div id="box"><p>new</p><video id="v" data-reflex-permanent src="b.mp4" class="x"></video></div>`);
    expect($("#v")).toBe(video);
    expect(stampOf($("#v"))).toBe("playing");
    expect(video.getAttribute("src")).toBe("a.mp4");
    expect(video.hasAttribute("class")).toBe(false);
    expect($("#box p").textContent).toBe("new");
  });

  test("permanent children are kept without an id and with a custom attribute name", () => {
    document.body.innerHTML = `<div id="box"><x-widget data-keep><b>live state</b></x-widget><p>old</p></div>`;
    const widget = $("x-widget");
    morph($("#box"), `<x-widget data-keep><i>server</i></x-widget><p>new</p>`, {
      childrenOnly: true,
      permanentAttributeName: "data-keep",
    });
    expect($("x-widget")).toBe(widget);
    expect(widget.innerHTML).toBe("<b>live state</b>");
    expect($("#box p").textContent).toBe("new");
  });

  test("without the permanent attribute the same element is morphed (the check is real)", () => {
    document.body.innerHTML = `<div id="box"><video id="v" src="a.mp4"></video></div>`;
    morph($("#box"), `<video id="v" src="b.mp4"></video>`, { childrenOnly: true });
    expect($("#v").getAttribute("src")).toBe("b.mp4");
  });

  test("the focused input keeps focus, typed value and caret; its other attributes follow the server", () => {
    document.body.innerHTML = `<form id="f"><ul><li>one</li></ul><input id="q" value="server-old" class="a"></form>`;
    const input = $("#q") as HTMLInputElement;
    input.focus();
    input.value = "hello world";
    input.setSelectionRange(5, 5);
    morph(
      $("#f"),
      `<form id="f"><ul><li>one</li><li>two</li></ul><input id="q" value="server-new" class="b" placeholder="Search"></form>`,
    );
    expect($("#q")).toBe(input);
    expect(document.activeElement).toBe(input);
    expect(input.value).toBe("hello world");
    expect([input.selectionStart, input.selectionEnd]).toEqual([5, 5]);
    expect(input.className).toBe("b");
    expect(input.getAttribute("placeholder")).toBe("Search");
    expect(document.querySelectorAll("#f li")).toHaveLength(2);
  });

  test("an unfocused input takes the server's value", () => {
    document.body.innerHTML = `<div id="f"><input id="q" value="old"><button id="b">go</button></div>`;
    const input = $("#q") as HTMLInputElement;
    input.value = "typed";
    $("#b").focus();
    morph($("#f"), `<input id="q" value="new"><button id="b">go</button>`, { childrenOnly: true });
    expect(input.value).toBe("new");
  });

  test("an unfocused field keeps what the user typed when the server did not change its value", () => {
    document.body.innerHTML = `<form id="f"><input id="a" value=""><input id="c" type="checkbox"><textarea id="t">x</textarea><p>1 todo</p></form>`;
    ($("#a") as HTMLInputElement).value = "half-typed";
    ($("#c") as HTMLInputElement).checked = true;
    ($("#t") as HTMLTextAreaElement).value = "draft";
    // A broadcast morph: the form's text changes, its fields' server values do not.
    morph($("#f"), `<input id="a" value="" class="x"><input id="c" type="checkbox"><textarea id="t">x</textarea><p>2 todos</p>`, {
      childrenOnly: true,
    });
    expect(($("#a") as HTMLInputElement).value).toBe("half-typed");
    expect($("#a").className).toBe("x");
    expect(($("#c") as HTMLInputElement).checked).toBe(true);
    expect(($("#t") as HTMLTextAreaElement).value).toBe("draft");
    expect($("#f p").textContent).toBe("2 todos");
  });

  test("an unfocused field inside an unchanged form still takes a value the server changed", () => {
    document.body.innerHTML = `<form id="f"><input id="a" value="old"><input id="c" type="checkbox" checked></form>`;
    ($("#a") as HTMLInputElement).value = "typed";
    morph($("#f"), `<input id="a" value="server"><input id="c" type="checkbox">`, { childrenOnly: true });
    expect(($("#a") as HTMLInputElement).value).toBe("server");
    expect(($("#c") as HTMLInputElement).checked).toBe(false);
  });

  test("a focused textarea keeps its text", () => {
    document.body.innerHTML = `<div id="f"><textarea id="t">server</textarea></div>`;
    const area = $("#t") as HTMLTextAreaElement;
    area.focus();
    area.value = "my draft";
    morph($("#f"), `<textarea id="t" rows="4">server v2</textarea>`, { childrenOnly: true });
    expect(area.value).toBe("my draft");
    expect(area.getAttribute("rows")).toBe("4");
  });

  test("a focused contenteditable (and what it contains) is left alone", () => {
    document.body.innerHTML = `<div id="f"><div id="ed" contenteditable="true"><p>my text</p></div><p id="other">x</p></div>`;
    const editor = $("#ed");
    editor.focus();
    morph($("#f"), `<div id="ed" contenteditable="true" class="c"><p>server</p></div><p id="other">y</p>`, {
      childrenOnly: true,
    });
    expect(editor.innerHTML).toBe("<p>my text</p>");
    expect(editor.hasAttribute("class")).toBe(false);
    expect($("#other").textContent).toBe("y");
  });

  test("an unchanged subtree is skipped whole (isEqualNode): an unfocused select keeps the user's choice", () => {
    const select = `<select id="s"><option value="1" selected>1</option><option value="2">2</option></select>`;
    document.body.innerHTML = `<div id="f"><div>${select}</div><p>old</p></div>`;
    ($("#s") as HTMLSelectElement).value = "2";
    morph($("#f"), `<div>${select}</div><p>new</p>`, { childrenOnly: true });
    expect(($("#s") as HTMLSelectElement).value).toBe("2");
    expect($("#f p").textContent).toBe("new");
  });

  test("carries the offline status marks onto the morphed element", () => {
    document.body.innerHTML = `<div id="f"><button id="b" data-cable-disabled="" disabled aria-disabled="true">Save</button><a id="l" data-cable-hidden hidden>x</a></div>`;
    morph($("#f"), `<button id="b" class="primary">Save now</button><a id="l" href="/y">y</a>`, { childrenOnly: true });
    const button = $("#b") as HTMLButtonElement;
    expect(button.textContent).toBe("Save now");
    expect(button.className).toBe("primary");
    expect(button.disabled).toBe(true);
    expect(button.getAttribute("aria-disabled")).toBe("true");
    expect(button.hasAttribute("data-cable-disabled")).toBe(true);
    const link = $("#l");
    expect(link.hidden).toBe(true);
    expect(link.hasAttribute("data-cable-hidden")).toBe(true);
    expect(link.getAttribute("href")).toBe("/y");
  });

  test("without marks, disabled/hidden follow the server", () => {
    document.body.innerHTML = `<div id="f"><button id="b" disabled>Save</button></div>`;
    morph($("#f"), `<button id="b">Save</button>`, { childrenOnly: true });
    expect(($("#b") as HTMLButtonElement).disabled).toBe(false);
  });

  test("focusSelector focuses that element afterwards", () => {
    document.body.innerHTML = `<div id="f"></div>`;
    morph($("#f"), `<input id="a"><input id="b">`, { childrenOnly: true, focusSelector: "#b" });
    expect(document.activeElement).toBe($("#b"));
  });

  test("a morph of the element itself may change its tag and returns the new element", () => {
    document.body.innerHTML = `<div id="wrap"><div id="x" class="a">1</div></div>`;
    const result = morph($("#x"), `<section id="x" class="b">2</section>`);
    expect(result.nodeName).toBe("SECTION");
    expect($("#x")).toBe(result);
    expect(result.textContent).toBe("2");
  });

  test("html that cannot describe one element is a clear error and changes nothing", () => {
    document.body.innerHTML = `<div id="x">1</div>`;
    expect(() => morph($("#x"), `<div id="x">2</div><div>3</div>`)).toThrow(/more than one root/);
    expect(() => morph($("#x"), `just text`)).toThrow(/no element/);
    expect($("#x").textContent).toBe("1");
  });
});
