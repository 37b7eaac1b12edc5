import { stimulusReflexFrames } from "../../support/fixtures";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tabId, uuid } from "../../../src/dom/payload-id";
import { buildPayload, STIMULUS_REFLEX_VERSION, VERSION } from "../../../src/dom/payload";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Frame { dir: string; frame: { data?: string } }
const frames = stimulusReflexFrames<Record<string, Frame[]>>();
const clientPayload = (scenario: string): Record<string, unknown> =>
  JSON.parse(frames[scenario].find((f) => f.dir === "client->server" && f.frame.data)!.frame.data!);

const kind = (value: unknown): string => (Array.isArray(value) ? "array" : value === null ? "null" : typeof value);
const html = (markup: string): void => {
  document.body.innerHTML = markup;
};
const el = (selector: string): Element => document.querySelector(selector)!;
const onTheWire = (value: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(value));

afterEach(() => {
  document.body.innerHTML = "";
});

describe("buildPayload against a real StimulusReflex 3.5.5 client frame", () => {
  for (const scenario of ["selector_morph", "page_morph"]) {
    it(`${scenario}: same keys, same types, same values for the same button`, () => {
      const real = clientPayload(scenario);
      (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(real.url as string);
      const attrs = real.attrs as Record<string, string>;
      html(`<button id="${attrs.id}" data-reflex="${attrs["data-reflex"]}" data-controller="stimulus-reflex"
        data-action="click->stimulus-reflex#__perform">Go</button>`);
      const ours = onTheWire(buildPayload(real.target as string, { element: el("button") }));

      for (const [key, value] of Object.entries(real)) {
        expect(ours, key).toHaveProperty([key]);
        expect(kind(ours[key]), key).toBe(kind(value));
      }
      const { id, tabId, ...rest } = ours;
      const { id: _id, tabId: _tab, ...expected } = real;
      expect(id).toMatch(UUID_V4);
      expect(tabId).toMatch(UUID_V4);
      expect(rest).toEqual({ ...expected, params: {} });
    });
  }
});

describe("buildPayload", () => {
  it("reads a button's data attributes, the default keys and fresh ids", () => {
    html(`<div id="list"><button data-reflex="click->Todo#toggle" data-todo-id="7" data-reflex-root="#list">x</button></div>`);
    const payload = buildPayload("Todo#toggle", { element: el("button"), args: [1, "two"] });
    expect(payload).toMatchObject({
      target: "Todo#toggle",
      args: [1, "two"],
      attrs: { "data-todo-id": "7", tag_name: "BUTTON", checked: false, selected: false, value: "" },
      dataset: { dataset: { "data-reflex": "click->Todo#toggle", "data-todo-id": "7", "data-reflex-root": "#list" }, datasetAll: {} },
      selectors: ["#list"],
      formData: "",
      permanentAttributeName: "data-reflex-permanent",
      version: STIMULUS_REFLEX_VERSION,
      reflexController: "stimulus-reflex",
      inner_html: "",
      text_content: "",
      resolveLate: false,
      suppressLogging: false,
      xpathController: "//*[@id='list']/button[1]",
      xpathElement: "//*[@id='list']/button[1]",
      params: {},
    });
    expect(payload.url).toBe(location.href);
    const again = buildPayload("Todo#toggle", { element: el("button") });
    expect(payload.id).toMatch(UUID_V4);
    expect(again.id).not.toBe(payload.id);
    expect(again.tabId).toBe(payload.tabId);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("takes id, params, selectors, controller and permanent attribute from the options", () => {
    html(`<section data-controller="todo"><a href="#">x</a></section>`);
    const payload = buildPayload("Todo#go", {
      element: el("a"), controllerElement: el("section"), reflexController: "todo", id: "fixed-id",
      params: { q: 1 }, selectors: "#main", permanentAttributeName: "data-keep", version: "3.5.4",
    });
    expect(payload).toMatchObject({
      id: "fixed-id", params: { q: 1 }, selectors: ["#main"], permanentAttributeName: "data-keep",
      reflexController: "todo", version: "3.5.4",
      xpathController: "/html/body/section[1]", xpathElement: "/html/body/section[1]/a[1]",
    });
    expect(onTheWire(payload.attrs)).not.toHaveProperty("value"); // an <a> has no value: SR sends none
  });

  it("reads an input's value, a checkbox's state and a checkbox group's values", () => {
    html(`<input id="name" name="name" value="Ada">
      <input type="checkbox" name="solo" id="solo" checked>
      <input type="checkbox" name="tags" value="a" id="t1"><input type="checkbox" name="tags" value="b" checked><input type="checkbox" name="tags" value="c" checked>`);
    expect(buildPayload("X#y", { element: el("#name") }).attrs).toMatchObject({ value: "Ada", checked: false, tag_name: "INPUT" });
    (el("#name") as HTMLInputElement).value = "typed";
    expect(buildPayload("X#y", { element: el("#name") }).attrs.value).toBe("typed");
    expect(buildPayload("X#y", { element: el("#solo") }).attrs).toMatchObject({ checked: true, value: "on" });
    const group = buildPayload("X#y", { element: el("#t1") }).attrs;
    expect(group).toMatchObject({ checked: false, values: ["b", "c"], value: "b,c" });
  });

  it("reads every selected value of a multiple select", () => {
    html(`<select id="s" name="s" multiple><option value="one" selected>1</option><option value="two">2</option>
      <option value="three" selected>3</option></select>`);
    expect(buildPayload("X#y", { element: el("#s") }).attrs).toEqual({
      id: "s", name: "s", multiple: "", tag_name: "SELECT", checked: false, selected: false,
      values: ["one", "three"], value: "one,three",
    });
  });

  it("never reads a password: its value is blank in attrs", () => {
    html(`<input type="password" id="pw" name="pw" value="hunter2">`);
    (el("#pw") as HTMLInputElement).value = "s3cret";
    const attrs = buildPayload("X#y", { element: el("#pw") }).attrs;
    expect(attrs.value).toBe("");
    expect(JSON.stringify(attrs)).not.toMatch(/hunter2|s3cret/);
  });

  it("serializes the closest form only when asked, leaving passwords out", () => {
    html(`<form><input name="user[email]" value="a@b.c & d"><input type="password" name="user[password]" value="hunter2">
      <textarea name="note">hi</textarea><input type="checkbox" name="remember" value="1" checked><input name="off" disabled value="x">
      <select name="pick" multiple><option selected>p</option><option selected disabled>q</option></select>
      <input type="submit" name="commit" value="Save"><button id="go">Go</button><button id="gs" data-reflex-serialize-form>Go</button>
      <button id="no" data-reflex-serialize-form="false">No</button></form>`);
    const expected = "user%5Bemail%5D=a%40b.c%20%26%20d&note=hi&remember=1&pick=p&commit=Save";
    expect(buildPayload("X#y", { element: el("#go") }).formData).toBe("");
    expect(buildPayload("X#y", { element: el("#gs") }).formData).toBe(expected);
    expect(buildPayload("X#y", { element: el("#go"), serializeForm: true }).formData).toBe(expected);
    expect(buildPayload("X#y", { element: el("#no"), serializeForm: true }).formData).toBe("");
    const everything = JSON.stringify(buildPayload("X#y", { element: el("#gs") }));
    expect(everything).not.toContain("hunter2");
  });

  it("serializes the form named by data-reflex-form-selector", () => {
    html(`<form id="other"><input name="a" value="1"></form><button data-reflex-serialize-form data-reflex-form-selector="#other">x</button>`);
    expect(buildPayload("X#y", { element: el("button") }).formData).toBe("a=1");
  });

  it("merges ancestors' data attributes, the closest winning, with data-reflex-dataset=ancestors", () => {
    html(`<div data-info="outer" data-org="9"><div data-info="inner" data-team="3">
      <button data-reflex-dataset="ancestors" data-own="1">x</button></div></div>`);
    expect(buildPayload("X#y", { element: el("button") }).dataset).toEqual({
      dataset: { "data-reflex-dataset": "ancestors", "data-own": "1", "data-info": "inner", "data-team": "3", "data-org": "9" },
      datasetAll: {},
    });
  });

  it("reads the parent only with data-reflex-dataset=parent", () => {
    html(`<div data-far="x"><div data-parent-id="1"><span data-sib="s"></span><button data-reflex-dataset="parent">x</button></div></div>`);
    expect(buildPayload("X#y", { element: el("button") }).dataset.dataset).toEqual({
      "data-reflex-dataset": "parent", "data-parent-id": "1",
    });
  });

  it("reads elements matching a selector, and collects every value with data-reflex-dataset-all", () => {
    html(`<div id="e" data-id="1" data-reflex-dataset=".post" data-reflex-dataset-all=".post">
      <div class="post" data-post-id="1"></div><div class="post" data-post-id="2"></div><div class="post" data-post-id="3"></div></div>`);
    expect(buildPayload("X#y", { element: el("#e") }).dataset).toEqual({
      dataset: { "data-id": "1", "data-post-id": "1", "data-reflex-dataset": ".post", "data-reflex-dataset-all": ".post" },
      datasetAll: {
        "data-id": ["1"], "data-post-id": ["1", "2", "3"],
        "data-reflex-dataset": [".post"], "data-reflex-dataset-all": [".post"],
      },
    });
  });

  it("reads siblings, children and descendants", () => {
    html(`<div><b data-sib="1"></b><p id="e" data-reflex-dataset="siblings children"><i data-child="2"><u data-deep="3"></u></i></p></div>
      <ul id="d" data-reflex-dataset="descendants"><li data-child="4"><em data-deep="5"></em></li></ul>`);
    expect(buildPayload("X#y", { element: el("#e") }).dataset.dataset).toEqual({
      "data-reflex-dataset": "siblings children", "data-sib": "1", "data-child": "2",
    });
    expect(buildPayload("X#y", { element: el("#d") }).dataset.dataset).toEqual({
      "data-reflex-dataset": "descendants", "data-child": "4", "data-deep": "5",
    });
  });

  it("uses the nearest data-reflex-root whose selectors exist", () => {
    html(`<div data-reflex-root="#a,#b"><div id="a"></div><span data-reflex-root="#missing"><button>x</button></span></div>`);
    expect(buildPayload("X#y", { element: el("button") }).selectors).toEqual(["#a"]);
  });

  it("includes inner HTML and text content only when asked", () => {
    html(`<div id="p" data-reflex-include-inner-html data-reflex-include-text-content><b>bold</b> text</div><div id="q"><b>no</b></div>`);
    expect(buildPayload("X#y", { element: el("#p") })).toMatchObject({ inner_html: "<b>bold</b> text", text_content: "bold text" });
    expect(buildPayload("X#y", { element: el("#q") })).toMatchObject({ inner_html: "", text_content: "" });
    expect(buildPayload("X#y", { element: el("#q"), includeInnerHtml: true }).inner_html).toBe("<b>no</b>");
  });

  it("counts same-tag siblings for positional XPaths", () => {
    html(`<ul><li>a</li><li>b</li><p>c</p><li id-none><span>x</span><span>y</span></li></ul>`);
    expect(buildPayload("X#y", { element: document.querySelectorAll("span")[1] }).xpathElement).toBe(
      "/html/body/ul[1]/li[3]/span[2]",
    );
  });

  it("builds a valid payload without an element", () => {
    const payload = buildPayload("Clock#tick");
    expect(payload).toMatchObject({ attrs: {}, dataset: { dataset: {}, datasetAll: {} }, selectors: [], formData: "", xpathElement: "" });
  });

  it("makes v4 UUIDs without crypto.randomUUID (plain-http pages), and keeps one tab id on globalThis", () => {
    const real = globalThis.crypto;
    vi.stubGlobal("crypto", { getRandomValues: (bytes: Uint8Array) => real.getRandomValues(bytes) });
    try {
      const ids = new Set(Array.from({ length: 50 }, () => uuid()));
      expect(ids.size).toBe(50);
      for (const id of ids) expect(id).toMatch(UUID_V4);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(tabId()).toBe((globalThis as unknown as Record<symbol, string>)[Symbol.for("cable-courier:tab-id")]);
  });
});
