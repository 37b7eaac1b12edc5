// The CableReady 5 operations StimulusReflex itself never sends and few apps do: opt-in, so a page that
// does not need them does not download them. `cable-courier/operations` exports them; the IIFE build
// registers them (it promises every feature in one file). They are applied like the built-ins.
import type { OperationFn } from "./types.js";
import { historyArgs, windowOf } from "./browser.js";
import { position, withFocus } from "./mutations.js";
import { choice, name, need, object, scalar } from "./values.js";

const BEHAVIORS = ["auto", "instant", "smooth"] as const;
const ALIGNMENTS = ["start", "center", "end", "nearest"] as const;

type Styled = Element & ElementCSSInlineStyle;

function styled(element: Element): Styled {
  if (!("style" in element)) throw new Error("this element has no inline style");
  return element as Styled;
}

/** CableReady takes camelCase style names (`backgroundColor`); setProperty needs `background-color`. */
function cssName(key: string): string {
  return key.startsWith("--") ? key : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export const rareOperations: Readonly<Record<string, OperationFn>> = Object.freeze({
  insertAdjacentText: withFocus((op, element) => {
    element.insertAdjacentText(position(op), scalar(op, "text"));
  }),
  graft: withFocus((op, element, doc) => {
    const parent = doc.querySelector(name(op, "parent"));
    if (!parent) throw new Error(`graft: no element matches parent "${String(op.parent)}"`);
    parent.appendChild(element);
  }),
  setProperty(op, element) {
    const target = need(op, element) as unknown as Record<string, unknown>;
    const key = name(op);
    // Like CableReady: only properties the element already has, so a typo cannot plant expandos.
    if (key in target) target[key] = op.value;
  },
  setStyle(op, element) {
    styled(need(op, element)).style.setProperty(cssName(name(op)), scalar(op, "value"));
  },
  setStyles(op, element) {
    const { style } = styled(need(op, element));
    for (const [key, value] of Object.entries(object(op, "styles"))) {
      style.setProperty(cssName(key), value === null || value === undefined ? "" : String(value));
    }
  },
  setTitle(op, _element, doc) {
    doc.title = scalar(op, "title");
  },
  setMeta(op, _element, doc) {
    const metaName = name(op);
    let meta = Array.from(doc.head.querySelectorAll("meta[name]")).find((m) => m.getAttribute("name") === metaName);
    if (!meta) {
      meta = doc.createElement("meta");
      meta.setAttribute("name", metaName);
      doc.head.appendChild(meta);
    }
    meta.setAttribute("content", scalar(op, "content"));
  },
  consoleLog(op) {
    const message = op.message;
    const level = op.level;
    if (level === "warn" || level === "info" || level === "error") console[level](message);
    else console.log(message);
  },
  replaceState(op, _element, doc) {
    windowOf(doc, op).history.replaceState(...historyArgs(op));
  },
  reload(op, _element, doc) {
    windowOf(doc, op).location.reload();
  },
  scrollIntoView(op, element) {
    const options: ScrollIntoViewOptions = {};
    const behavior = choice(op, "behavior", BEHAVIORS);
    const block = choice(op, "block", ALIGNMENTS);
    const inline = choice(op, "inline", ALIGNMENTS);
    // Only the options given: an explicit undefined is not the same as absent to every engine.
    if (behavior) options.behavior = behavior as ScrollBehavior;
    if (block) options.block = block;
    if (inline) options.inline = inline;
    need(op, element).scrollIntoView(options);
  },
});
