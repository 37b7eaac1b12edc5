// Events, focus, document and browser operations: CableReady 5's dispatchEvent, setFocus, setTitle,
// setMeta, consoleLog, redirectTo, pushState, replaceState, reload and scrollIntoView.
import { dispatch } from "../../core/events.js";
import type { Operation } from "../../protocol/types.js";
import type { OperationFn } from "./types.js";
import { choice, name, need, object, scalar } from "./values.js";

const BEHAVIORS = ["auto", "instant", "smooth"] as const;
const ALIGNMENTS = ["start", "center", "end", "nearest"] as const;

interface Visitor {
  visit(url: string, options: { action: string }): void;
}

interface NavigatorWindow {
  Turbo?: Visitor;
  Turbolinks?: Visitor;
}

function windowOf(doc: Document, op: Operation): Window {
  const view = doc.defaultView;
  if (!view) throw new Error(`${op.operation} needs a document with a window`);
  return view;
}

function historyArgs(op: Operation): [Record<string, unknown>, string, string | undefined] {
  // No url keeps the current one (an empty string would resolve to it minus its #fragment).
  return [object(op, "state"), scalar(op, "title"), scalar(op, "url") || undefined];
}

export const browser: Record<string, OperationFn> = {
  dispatchEvent(op, element, doc) {
    dispatch(element ?? doc, name(op), object(op, "detail"), true);
  },
  setFocus(op, element) {
    const target = need(op, element) as HTMLElement;
    if (typeof target.focus === "function") target.focus();
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
  redirectTo(op, _element, doc) {
    const url = name(op, "url");
    const action = typeof op.action === "string" && op.action ? op.action : "advance";
    const view = windowOf(doc, op);
    const { Turbo, Turbolinks } = view as unknown as NavigatorWindow;
    if (op.turbo !== false && Turbo) Turbo.visit(url, { action });
    else if (op.turbo !== false && Turbolinks) Turbolinks.visit(url, { action });
    else view.location.assign(url);
  },
  pushState(op, _element, doc) {
    windowOf(doc, op).history.pushState(...historyArgs(op));
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
};
