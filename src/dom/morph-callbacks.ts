// The morphdom callbacks that make a server morph respect the user. They run once per element of
// the incoming tree, so they allocate nothing and only compare identities and attributes.
import type morphdom from "morphdom";
import type { FocusSnapshot } from "./morph-focus.js";
import { carryMarks } from "./morph-marks.js";

export type MorphdomOptions = NonNullable<Parameters<typeof morphdom>[2]>;

// isEqualNode compares attributes, not the live value/checked/selected, so fields are always visited.
// The rule for a field: what the user typed or picked stays unless the server changed that field's own
// value (its `value`/`checked`/`selected` attribute, a textarea's text) since the last render. So an
// equal subtree is skipped whole, and a broadcast morph never wipes a half-filled form, while the server
// can still reset a field by rendering a new value.
const MUTABLE: Record<string, true> = { INPUT: true, TEXTAREA: true, OPTION: true };

function serverValueUnchanged(from: Element, to: Element): boolean {
  switch (from.nodeName) {
    case "INPUT":
      return from.getAttribute("value") === to.getAttribute("value") && from.hasAttribute("checked") === to.hasAttribute("checked");
    case "TEXTAREA":
      return from.textContent === to.textContent;
    case "OPTION":
      return from.hasAttribute("selected") === to.hasAttribute("selected");
    default:
      return false;
  }
}

export function nodeKey(node: Node): string | undefined {
  return node.nodeType === 1 ? (node as Element).id || undefined : undefined;
}

/** Callbacks for one morph; `permanent` is the attribute name ("" turns permanence off). */
export function morphCallbacks(focus: FocusSnapshot, permanent: string): MorphdomOptions {
  const { field, editable } = focus;
  return {
    getNodeKey: nodeKey,
    onBeforeElUpdated(fromEl: Element, toEl: Element): boolean {
      if (permanent && fromEl.hasAttribute(permanent)) return false;
      if (fromEl === editable) return false;
      if (MUTABLE[fromEl.nodeName] !== true && fromEl.isEqualNode(toEl)) return false;
      carryMarks(fromEl, toEl);
      if (fromEl === field || (MUTABLE[fromEl.nodeName] === true && serverValueUnchanged(fromEl, toEl))) {
        // The user is typing here, or the server did not change this field: its attributes, not its value.
        syncAttributesExceptValue(fromEl, toEl);
        return false;
      }
      return true;
    },
  } as MorphdomOptions;
}

// Setting these attributes would also reset the live state on a field the user has not touched yet.
const LIVE: Record<string, true> = { value: true, checked: true, selected: true };

function syncAttributesExceptValue(from: Element, to: Element): void {
  const incoming = to.attributes;
  for (let i = 0; i < incoming.length; i++) {
    const { name, value } = incoming[i];
    if (LIVE[name] !== true && from.getAttribute(name) !== value) from.setAttribute(name, value);
  }
  const current = from.attributes;
  for (let i = current.length - 1; i >= 0; i--) {
    const name = current[i].name;
    if (LIVE[name] !== true && !to.hasAttribute(name)) from.removeAttribute(name);
  }
}
