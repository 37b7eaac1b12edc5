// The morphdom callbacks that make a server morph respect the user. They run once per element of
// the incoming tree, so they allocate nothing and only compare identities and attributes.
import type morphdom from "morphdom";
import type { FocusSnapshot } from "./morph-focus";
import { carryMarks } from "./morph-marks";

export type MorphdomOptions = NonNullable<Parameters<typeof morphdom>[2]>;

// isEqualNode compares attributes, not the live value/checked/selected, so these are always morphed
// (as CableReady does): an unfocused field must still take the server's value.
const MUTABLE: Record<string, true> = { INPUT: true, TEXTAREA: true, OPTION: true };

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
      if (fromEl === field) {
        // The user is typing here: take the server's attributes, never its value.
        syncAttributesExceptValue(fromEl, toEl);
        return false;
      }
      return true;
    },
  } as MorphdomOptions;
}

function syncAttributesExceptValue(from: Element, to: Element): void {
  const incoming = to.attributes;
  for (let i = 0; i < incoming.length; i++) {
    const { name, value } = incoming[i];
    if (name !== "value" && from.getAttribute(name) !== value) from.setAttribute(name, value);
  }
  const current = from.attributes;
  for (let i = current.length - 1; i >= 0; i--) {
    const name = current[i].name;
    if (name !== "value" && !to.hasAttribute(name)) from.removeAttribute(name);
  }
}
