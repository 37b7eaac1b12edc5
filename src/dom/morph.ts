// Server HTML lands without breaking what the user is doing: morphdom, plus focus, caret, typed values,
// permanent elements, contenteditable and the offline status marks (see morph-callbacks.ts).
import morphdom from "morphdom";
import { morphCallbacks } from "./morph-callbacks.js";
import { restoreFocus, takeFocus } from "./morph-focus.js";
import { parseChildren, parseElement } from "./morph-parse.js";

export { HIDDEN_MARK, DISABLED_MARK } from "./morph-marks.js";

export const DEFAULT_PERMANENT_ATTRIBUTE = "data-reflex-permanent";

export interface MorphOptions {
  /** Morph only the target's children; `html` is then its inner HTML (StimulusReflex's selector and page morphs). */
  childrenOnly?: boolean;
  /** Elements carrying this attribute are never touched. Default `data-reflex-permanent`; "" disables. */
  permanentAttributeName?: string;
  /** Focus the first element matching this selector once the morph is done. */
  focusSelector?: string;
}

/**
 * Morphs `target` towards `html` and returns the morphed element (a new one only when a morph without
 * `childrenOnly` changes the tag). Throws on html that cannot describe the target (no or several roots).
 */
export function morph(target: Element, html: string, options: MorphOptions = {}): Element {
  const doc = target.ownerDocument;
  const childrenOnly = options.childrenOnly === true;
  const incoming = childrenOnly ? parseChildren(target, html) : parseElement(target, html);
  const focus = takeFocus(doc);
  const callbacks = morphCallbacks(focus, options.permanentAttributeName ?? DEFAULT_PERMANENT_ATTRIBUTE);
  callbacks.childrenOnly = childrenOnly;
  const result = morphdom(target, incoming, callbacks) as Element;
  restoreFocus(doc, focus);
  if (options.focusSelector) {
    const wanted = doc.querySelector<HTMLElement>(options.focusSelector);
    if (wanted && typeof wanted.focus === "function") wanted.focus();
  }
  return result;
}
