// Element properties: CableReady 5's setAttribute, removeAttribute, addCssClass, removeCssClass,
// setValue and setDatasetProperty (setProperty and the styles are opt-in: ./rare.ts).
import type { OperationFn } from "./types.js";
import { classNames, name, need, scalar } from "./values.js";

export const properties: Record<string, OperationFn> = {
  setAttribute(op, element) {
    need(op, element).setAttribute(name(op), scalar(op, "value"));
  },
  removeAttribute(op, element) {
    need(op, element).removeAttribute(name(op));
  },
  addCssClass(op, element) {
    need(op, element).classList.add(...classNames(op));
  },
  removeCssClass(op, element) {
    const target = need(op, element);
    target.classList.remove(...classNames(op));
    if (target.classList.length === 0) target.removeAttribute("class");
  },
  setValue(op, element) {
    const target = need(op, element);
    if (!("value" in target)) throw new Error(`setValue: <${target.localName}> has no value`);
    (target as HTMLInputElement).value = scalar(op, "value");
  },
  setDatasetProperty(op, element) {
    const target = need(op, element) as HTMLElement;
    if (!target.dataset) throw new Error(`setDatasetProperty: <${target.localName}> has no dataset`);
    target.dataset[name(op)] = scalar(op, "value");
  },
};
