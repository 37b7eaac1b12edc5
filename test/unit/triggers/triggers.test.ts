import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TRIGGER_EVENT, TriggerObserver } from "../../../src/dom/triggers";
import { parseReflexActions } from "../../../src/dom/trigger-actions";

interface Fired { target: string; element: Element; type: string }
let fired: Fired[];
let observer: TriggerObserver;

const html = (markup: string): void => {
  document.body.innerHTML = markup;
};
const el = <T extends Element = HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;
const click = (element: Element): MouseEvent => {
  const event = new MouseEvent("click", { bubbles: true, cancelable: true });
  element.dispatchEvent(event);
  return event;
};
const emit = (element: Element, type: string): Event => {
  const event = new Event(type, { bubbles: true, cancelable: true });
  element.dispatchEvent(event);
  return event;
};
/** MutationObserver callbacks run as microtasks; wait for a condition rather than a fixed time. */
async function until(condition: () => boolean, limit = 2000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limit) throw new Error("condition not met");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

beforeEach(() => {
  fired = [];
  observer = new TriggerObserver(document, (target, element, event) => fired.push({ target, element, type: event.type }));
});
afterEach(() => {
  observer.stop();
  document.body.innerHTML = "";
});

describe("parseReflexActions", () => {
  it("parses explicit events, bare targets with natural events, and ignores malformed tokens", () => {
    html(`<input id="i"><select id="s"></select><textarea id="t"></textarea><form id="f"></form><div id="d"></div>
      <input id="b" type="submit">`);
    el("#d").setAttribute("data-reflex", "  click->Counter#increment  mouseover->Hover#show Bare#go nohash ->X#y a->#b  ");
    expect(parseReflexActions(el("#d"))).toEqual([
      { event: "click", target: "Counter#increment" },
      { event: "mouseover", target: "Hover#show" },
      { event: "click", target: "Bare#go" },
    ]);
    for (const [selector, event] of [["#i", "change"], ["#s", "change"], ["#t", "change"], ["#f", "submit"], ["#b", "click"]]) {
      el(selector).setAttribute("data-reflex", "Foo#bar");
      expect(parseReflexActions(el(selector)), selector).toEqual([{ event, target: "Foo#bar" }]);
    }
  });
});

describe("TriggerObserver", () => {
  it("fires from one delegated listener, also for a click on a child of the element", () => {
    html(`<button id="b" data-reflex="click->Counter#increment"><span id="inner">+</span></button>`);
    observer.start();
    click(el("#inner"));
    expect(fired).toEqual([{ target: "Counter#increment", element: el("#b"), type: "click" }]);
  });

  it("does nothing before start() and after stop(); start() and stop() are idempotent", () => {
    html(`<button id="b" data-reflex="click->Counter#increment">+</button>`);
    click(el("#b"));
    observer.start();
    observer.start();
    click(el("#b"));
    observer.stop();
    observer.stop();
    click(el("#b"));
    expect(fired).toHaveLength(1);
    observer.start();
    click(el("#b"));
    expect(fired).toHaveLength(2);
  });

  it("handles elements added later, including event types first seen on them", async () => {
    observer.start();
    html(`<div id="late" data-reflex="dblclick->Late#open"></div>`);
    await until(() => {
      emit(el("#late"), "dblclick");
      return fired.length > 0;
    });
    expect(fired[0]).toMatchObject({ target: "Late#open", type: "dblclick" });
  });

  it("handles a data-reflex attribute set on an existing element", async () => {
    html(`<div id="d"></div>`);
    observer.start();
    el("#d").setAttribute("data-reflex", "mouseup->Attr#set");
    await until(() => {
      emit(el("#d"), "mouseup");
      return fired.length > 0;
    });
    expect(fired[0].target).toBe("Attr#set");
  });

  it("a replaced element (as after a morph) works without rebinding", () => {
    html(`<button data-reflex="click->A#one">1</button>`);
    observer.start();
    document.body.innerHTML = `<button id="new" data-reflex="click->A#two">2</button>`;
    click(el("#new")); // click is always listened for: no need to wait for the observer
    expect(fired.map((f) => f.target)).toEqual(["A#two"]);
  });

  it("uses natural events: change for inputs, selects and textareas, submit for forms", () => {
    html(`<input id="i" data-reflex="Search#type"><select id="s" data-reflex="Pick#one"></select>
      <textarea id="t" data-reflex="Note#save"></textarea><form id="f" data-reflex="Form#submit"></form>`);
    observer.start();
    click(el("#i"));
    expect(fired).toEqual([]);
    for (const selector of ["#i", "#s", "#t"]) emit(el(selector), "change");
    emit(el("#f"), "submit");
    expect(fired.map((f) => `${f.type}:${f.target}`)).toEqual([
      "change:Search#type", "change:Pick#one", "change:Note#save", "submit:Form#submit",
    ]);
  });

  it("fires every action of a multi-action attribute that matches the event, and only those", async () => {
    html(`<input id="i" data-reflex="input->Live#preview change->Live#save input->Count#chars">`);
    observer.start();
    await until(() => {
      emit(el("#i"), "input");
      return fired.length > 0;
    });
    expect(fired.map((f) => f.target)).toEqual(["Live#preview", "Count#chars"]);
    fired = [];
    emit(el("#i"), "change");
    expect(fired.map((f) => f.target)).toEqual(["Live#save"]);
  });

  it("nested elements: the innermost with a matching action fires, ancestors do not", () => {
    html(`<div id="outer" data-reflex="click->Outer#go"><div id="mid" data-reflex="change->Mid#go">
      <button id="inner" data-reflex="click->Inner#go">x</button><span id="plain">y</span></div></div>`);
    observer.start();
    click(el("#inner"));
    click(el("#plain")); // #mid has no click action: the walk goes on to #outer
    expect(fired.map((f) => f.target)).toEqual(["Inner#go", "Outer#go"]);
  });

  it("prevents a form's submit and a link's navigation, but not an ordinary click", () => {
    html(`<form id="f" data-reflex="submit->Form#save"><button id="sub" data-reflex="click->Form#press">s</button></form>
      <a id="a" href="/elsewhere" data-reflex="click->Link#go">go</a><button id="b" data-reflex="click->B#go">b</button>
      <form><button id="plain" type="button" data-reflex="click->P#go">p</button></form>`);
    observer.start();
    expect(emit(el("#f"), "submit").defaultPrevented).toBe(true);
    expect(click(el("#a")).defaultPrevented).toBe(true);
    expect(click(el("#sub")).defaultPrevented).toBe(true);
    expect(click(el("#b")).defaultPrevented).toBe(false);
    expect(click(el("#plain")).defaultPrevented).toBe(false);
    expect(fired.map((f) => f.target)).toEqual(["Form#save", "Link#go", "Form#press", "B#go", "P#go"]);
  });

  it("a disabled element does not fire, nor do its ancestors for it", () => {
    html(`<div data-reflex="click->Outer#go"><div id="d" disabled data-reflex="click->Off#go">x</div></div>
      <button id="b" data-reflex="click->Off#button">b</button>`);
    observer.start();
    click(el("#d"));
    el("#b").setAttribute("disabled", "");
    click(el("#b"));
    expect(fired).toEqual([]);
    el("#b").removeAttribute("disabled");
    click(el("#b"));
    expect(fired.map((f) => f.target)).toEqual(["Off#button"]);
  });

  it("announces courier:trigger first; a listener that cancels it takes the reflex over", () => {
    html(`<section id="s"><button id="b" data-reflex="click->A#one">x</button><button id="c" data-reflex="click->B#two">y</button></section>`);
    const seen: string[] = [];
    el("#s").addEventListener(TRIGGER_EVENT, (event) => {
      const { target } = (event as CustomEvent<{ target: string }>).detail;
      seen.push(target);
      if (target === "A#one") event.preventDefault();
    });
    observer.start();
    click(el("#b"));
    click(el("#c"));
    expect(seen).toEqual(["A#one", "B#two"]);
    expect(fired.map((f) => f.target)).toEqual(["B#two"]);
  });
});
