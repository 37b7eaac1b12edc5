// DOM mutations: CableReady 5's morph, innerHtml, outerHtml, replace, append, prepend,
// insertAdjacentHtml, remove and textContent, with the same option keys (insertAdjacentText and graft are
// opt-in: ./rare.ts).
import type { Operation } from "../../protocol/types.js";
import { morph } from "../morph.js";
import type { OperationFn } from "./types.js";
import { need, scalar } from "./values.js";

const POSITIONS: Record<string, InsertPosition> = {
  beforebegin: "beforebegin", afterbegin: "afterbegin", beforeend: "beforeend", afterend: "afterend",
};

/** Runs `mutate`, then focuses `focusSelector` or, like CableReady, gives focus back to what had it. */
export function withFocus(mutate: (op: Operation, element: Element, doc: Document) => void): OperationFn {
  return (op, element, doc) => {
    const target = need(op, element);
    const active = doc.activeElement as HTMLElement | null;
    mutate(op, target, doc);
    const selector = op.focusSelector;
    const wanted = typeof selector === "string" && selector ? doc.querySelector<HTMLElement>(selector) : active;
    if (wanted && wanted.isConnected && doc.activeElement !== wanted && typeof wanted.focus === "function") wanted.focus();
  };
}

export function position(op: Operation): InsertPosition {
  const value = op.position;
  if (value === undefined || value === null || value === "") return "beforeend";
  const found = typeof value === "string" ? POSITIONS[value.toLowerCase()] : undefined;
  if (!found) throw new TypeError(`${op.operation}: "position" must be beforebegin, afterbegin, beforeend or afterend`);
  return found;
}

export const mutations: Record<string, OperationFn> = {
  morph(op, element) {
    const focusSelector = op.focusSelector;
    const permanent = op.permanentAttributeName;
    morph(need(op, element), scalar(op, "html"), {
      childrenOnly: op.childrenOnly === true,
      permanentAttributeName: typeof permanent === "string" ? permanent : undefined,
      focusSelector: typeof focusSelector === "string" && focusSelector ? focusSelector : undefined,
    });
  },
  innerHtml: withFocus((op, element) => {
    element.innerHTML = scalar(op, "html");
  }),
  outerHtml: withFocus((op, element) => {
    element.outerHTML = scalar(op, "html");
  }),
  replace: withFocus((op, element) => {
    element.outerHTML = scalar(op, "html");
  }),
  append: withFocus((op, element) => {
    element.insertAdjacentHTML("beforeend", scalar(op, "html"));
  }),
  prepend: withFocus((op, element) => {
    element.insertAdjacentHTML("afterbegin", scalar(op, "html"));
  }),
  insertAdjacentHtml: withFocus((op, element) => {
    element.insertAdjacentHTML(position(op), scalar(op, "html"));
  }),
  remove: withFocus((_op, element) => {
    element.remove();
  }),
  textContent: withFocus((op, element) => {
    element.textContent = scalar(op, "text");
  }),
};
