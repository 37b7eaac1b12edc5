// Element properties: CableReady 5's setAttribute, removeAttribute, addCssClass, removeCssClass,
// setValue, setDatasetProperty, setProperty, setStyle and setStyles.
import type { OperationFn } from "./types.js";
import { classNames, name, need, object, scalar } from "./values.js";

type Styled = Element & ElementCSSInlineStyle;

function styled(element: Element): Styled {
  if (!("style" in element)) throw new Error("this element has no inline style");
  return element as Styled;
}

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
};

/** CableReady takes camelCase style names (`backgroundColor`); setProperty needs `background-color`. */
function cssName(key: string): string {
  return key.startsWith("--") ? key : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
