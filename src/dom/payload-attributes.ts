// What StimulusReflex 3.5 reads off the reflex element: its attributes (`attrs`), its data attributes
// and those of related elements (`dataset`), and the morph roots (`selectors`). SR servers build
// `element` from these, so the shapes follow SR's attributes.js and utils.js exactly; the one deliberate
// difference is that a password input's value is never read.
import { isSecret } from "../protocol/secrets.js";
import type { Dataset } from "../protocol/types.js";
import { sdkAttributes } from "./payload-marks.js";

/** The form-control properties SR reads, when the element has them. */
type Control = Element & { checked?: unknown; selected?: unknown; value?: unknown; type?: unknown; name?: unknown };

export const SECRET_FIELDS =
  'input[type="password" i], input[autocomplete*="password" i], input[autocomplete*="one-time-code" i], input[data-reflex-secret], textarea[data-reflex-secret], select[data-reflex-secret]';

/** A field whose value must never be stored or sent: a password, a one-time code, or one marked secret. */
export function isSecretField(element: Element): boolean {
  const marked = element.hasAttribute("data-reflex-secret");
  if (element.tagName === "TEXTAREA" || element.tagName === "SELECT") return marked;
  return element.tagName === "INPUT" && isSecret((element as Control).type, element.getAttribute("autocomplete"), marked);
}

/** Blanks what a secret field's markup says of its value (a textarea's text, an option's `selected`). */
function blankMarkup(field: Element): void {
  if (field.tagName === "TEXTAREA") field.textContent = "";
  else if (field.tagName === "SELECT") field.querySelectorAll("option[selected]").forEach((option) => option.removeAttribute("selected"));
  else field.removeAttribute("value");
}

/** The element's inner HTML with the `value` attributes of secret fields left out. */
export function innerHtmlWithoutSecrets(element: Element): string {
  if (!element.querySelector(SECRET_FIELDS)) return element.innerHTML;
  const copy = element.cloneNode(true) as Element;
  copy.querySelectorAll(SECRET_FIELDS).forEach((field) => isSecretField(field) && blankMarkup(field));
  return copy.innerHTML;
}

const quote = (value: string): string => value.replace(/["\\]/g, "\\$&");

/** Checkboxes / radios sharing a name with another input of the same type. */
function sameNameInputs(element: Control): HTMLInputElement[] {
  const { type, name } = element;
  if ((type !== "checkbox" && type !== "radio") || typeof name !== "string") return [];
  const selector = `input[type="${quote(type)}"][name="${quote(name)}"]`;
  return Array.from(element.ownerDocument.querySelectorAll<HTMLInputElement>(selector));
}

function checkedValues(element: Control, group: HTMLInputElement[]): string[] {
  const options = element.tagName === "SELECT" ? Array.from((element as unknown as HTMLSelectElement).options) : [];
  return [...options.filter((o) => o.selected), ...group.filter((input) => input.checked)].map((o) => o.value);
}

/** SR's `extractElementAttributes`: every attribute, plus checked, selected, tag_name and value(s). */
export function extractElementAttributes(element: Element): Record<string, unknown> {
  const control = element as Control;
  const attrs: Record<string, unknown> = {};
  const ours = sdkAttributes(element);
  for (const attr of Array.from(element.attributes)) if (!ours.has(attr.name)) attrs[attr.name] = attr.value;
  attrs.checked = !!control.checked;
  attrs.selected = !!control.selected;
  attrs.tag_name = element.tagName;

  const group = sameNameInputs(control);
  if (isSecretField(element)) {
    attrs.value = "";
    if (element.tagName === "SELECT") attrs.values = [];
  } else if (element.tagName === "SELECT" || group.length > 1) {
    const values = checkedValues(control, group);
    attrs.values = values;
    attrs.value = values.join(",");
  } else if (control.value !== undefined) {
    attrs.value = control.value;
  } else {
    delete attrs.value; // SR sends `undefined`, which JSON drops; a `value` attribute must not leak through
  }
  return attrs;
}

export function extractDataAttributes(element: Element): Record<string, string> {
  const data: Record<string, string> = {};
  const ours = sdkAttributes(element);
  for (const attr of Array.from(element.attributes)) if (attr.name.startsWith("data-") && !ours.has(attr.name)) data[attr.name] = attr.value;
  return data;
}

function ancestors(element: Element): Element[] {
  const list: Element[] = [];
  for (let node = element.parentElement; node; node = node.parentElement) list.push(node);
  return list; // closest first, as SR reverses the ancestor axis
}

/** The elements a `data-reflex-dataset(-all)` token names, as SR's XPath axes would find them. */
function tokenElements(element: Element, token: string): Element[] {
  const parent = element.parentElement;
  switch (token) {
    case "ancestors":
    case "combined":
      return ancestors(element);
    case "parent":
      return parent ? [parent] : [];
    case "siblings":
      return parent ? Array.from(parent.children).filter((child) => child !== element) : [];
    case "children":
      return Array.from(element.children);
    case "descendants":
      return Array.from(element.querySelectorAll("*"));
    default:
      try {
        return Array.from(element.ownerDocument.querySelectorAll(token));
      } catch {
        return []; // an invalid selector names nothing (SR logs it in debug mode)
      }
  }
}

function elementsFor(element: Element, attribute: string): Element[] {
  const tokens = (element.getAttribute(attribute) ?? "").split(" ").filter(Boolean);
  if (tokens.length === 0) return [];
  return [element, ...tokens.flatMap((token) => tokenElements(element, token))];
}

/** SR's `extractElementDataset`: the first element naming a key wins; `datasetAll` collects every value. */
export function extractElementDataset(element: Element): Dataset {
  const related = elementsFor(element, "data-reflex-dataset").reduce<Record<string, string>>(
    (acc, each) => ({ ...extractDataAttributes(each), ...acc }),
    {},
  );
  const datasetAll: Record<string, string[]> = {};
  for (const each of elementsFor(element, "data-reflex-dataset-all")) {
    for (const [key, value] of Object.entries(extractDataAttributes(each))) (datasetAll[key] ??= []).push(value);
  }
  return { dataset: { ...extractDataAttributes(element), ...related }, datasetAll };
}

const exists = (doc: Document, selector: string): boolean => {
  try {
    return doc.querySelector(selector) !== null;
  } catch {
    return false;
  }
};

/** SR's `getReflexRoots`: the nearest `data-reflex-root` (comma separated) whose selectors match. */
export function reflexRoots(element: Element): string[] {
  let list: string[] = [];
  for (let node: Element | null = element; node && list.length === 0; node = node.parentElement?.closest("[data-reflex-root]") ?? null) {
    const root = node.getAttribute("data-reflex-root");
    if (!root) continue;
    list = root.split(",").filter((s) => s.trim().length && exists(element.ownerDocument, s));
  }
  return list;
}
