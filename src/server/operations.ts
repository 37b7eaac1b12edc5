// Builders for CableReady 5 operations, in the shape a StimulusReflex 3.5 server sends them
// (fixtures/stimulus-reflex-3.5.5/frames.json). The reflex channel adds `reflexId` to each.
import type { Operation } from "../protocol/types.js";

/** Extra CableReady keys any operation accepts (`selectAll`, `xpath`, `focusSelector`, `cancel`, ...). */
export type OperationOptions = Record<string, unknown>;

export interface MorphOptions extends OperationOptions {
  /** true (default, as StimulusReflex sends it): `html` is the element's new children. false: `html` replaces the element. */
  childrenOnly?: boolean;
  permanentAttributeName?: string;
  focusSelector?: string;
}

export const PERMANENT_ATTRIBUTE = "data-reflex-permanent";

function op(operation: string, selector: string | undefined, fields: OperationOptions, options?: OperationOptions): Operation {
  const result: Operation = { ...options, ...fields, operation };
  if (selector !== undefined) result.selector = selector;
  return result;
}

export function morph(selector: string, html: string, options: MorphOptions = {}): Operation {
  const { childrenOnly = true, permanentAttributeName = PERMANENT_ATTRIBUTE, ...rest } = options;
  return op("morph", selector, { html, childrenOnly, permanentAttributeName }, rest);
}

export function innerHtml(selector: string, html: string, options?: OperationOptions): Operation {
  return op("innerHtml", selector, { html }, options);
}

export function outerHtml(selector: string, html: string, options?: OperationOptions): Operation {
  return op("outerHtml", selector, { html }, options);
}

export function append(selector: string, html: string, options?: OperationOptions): Operation {
  return op("append", selector, { html }, options);
}

export function prepend(selector: string, html: string, options?: OperationOptions): Operation {
  return op("prepend", selector, { html }, options);
}

export function remove(selector: string, options?: OperationOptions): Operation {
  return op("remove", selector, {}, options);
}

export function setAttribute(selector: string, name: string, value: string, options?: OperationOptions): Operation {
  return op("setAttribute", selector, { name, value }, options);
}

export function removeAttribute(selector: string, name: string, options?: OperationOptions): Operation {
  return op("removeAttribute", selector, { name }, options);
}

export function addCssClass(selector: string, name: string | string[], options?: OperationOptions): Operation {
  return op("addCssClass", selector, { name }, options);
}

export function removeCssClass(selector: string, name: string | string[], options?: OperationOptions): Operation {
  return op("removeCssClass", selector, { name }, options);
}

export function textContent(selector: string, text: string, options?: OperationOptions): Operation {
  return op("textContent", selector, { text }, options);
}

export function setValue(selector: string, value: string, options?: OperationOptions): Operation {
  return op("setValue", selector, { value }, options);
}

/** Without a selector CableReady dispatches on `document`. */
export function dispatchEvent(name: string, detail?: unknown, selector?: string, options?: OperationOptions): Operation {
  return op("dispatchEvent", selector, detail === undefined ? { name } : { name, detail }, options);
}

export function setFocus(selector: string, options?: OperationOptions): Operation {
  return op("setFocus", selector, {}, options);
}
