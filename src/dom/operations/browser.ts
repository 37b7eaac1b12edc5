// Events, focus and navigation: CableReady 5's dispatchEvent, setFocus, redirectTo and pushState (the
// rarer browser operations are opt-in: ./rare.ts).
import { dispatch } from "../../core/events.js";
import type { Operation } from "../../protocol/types.js";
import type { OperationFn } from "./types.js";
import { name, need, object, scalar } from "./values.js";

interface Visitor {
  visit(url: string, options: { action: string }): void;
}

interface NavigatorWindow {
  Turbo?: Visitor;
  Turbolinks?: Visitor;
}

export function windowOf(doc: Document, op: Operation): Window {
  const view = doc.defaultView;
  if (!view) throw new Error(`${op.operation} needs a document with a window`);
  return view;
}

export function historyArgs(op: Operation): [Record<string, unknown>, string, string | undefined] {
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
};
