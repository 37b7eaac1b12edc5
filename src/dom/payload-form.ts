// `formData` of the payload: a form URL-encoded the way StimulusReflex 3.5 does it (FormData's entries,
// each side encodeURIComponent'ed, plus the submit button), except that password fields are never sent.
// The entry list is built here rather than by `new FormData(form)` because FormData cannot say which
// control an entry came from, so it cannot leave passwords out.
import { isSecretField } from "./payload-attributes.js";

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

const SKIPPED_INPUTS = new Set(["submit", "button", "reset", "image", "password"]);

function firstLegend(fieldset: Element): Element | undefined {
  return Array.from(fieldset.children).find((child) => child.tagName === "LEGEND");
}

/** Disabled itself or inside a disabled fieldset (but not in that fieldset's first legend). */
function isDisabled(element: Element): boolean {
  if (element.hasAttribute("disabled")) return true;
  for (let set = element.parentElement?.closest("fieldset[disabled]"); set; set = set.parentElement?.closest("fieldset[disabled]")) {
    if (!firstLegend(set)?.contains(element)) return true;
  }
  return false;
}

function entries(control: Element): Array<[string, string]> {
  const name = control.getAttribute("name") ?? "";
  if (!name || isDisabled(control) || control.closest("datalist")) return [];
  const field = control as Field;
  if (isSecretField(control)) return [];
  switch (control.tagName) {
    case "SELECT":
      return Array.from((field as HTMLSelectElement).options)
        .filter((option) => option.selected && !option.disabled && !option.closest("optgroup[disabled]"))
        .map((option) => [name, option.value]);
    case "TEXTAREA":
      return [[name, field.value]];
    case "INPUT": {
      const input = field as HTMLInputElement;
      if (SKIPPED_INPUTS.has(input.type)) return [];
      if ((input.type === "checkbox" || input.type === "radio") && !input.checked) return [];
      if (input.type === "file") {
        const files = Array.from(input.files ?? []);
        return files.length ? files.map((file) => [name, file.name]) : [[name, ""]];
      }
      return [[name, input.value]];
    }
    default:
      return []; // buttons (unless the submitter, below), fieldsets, outputs, objects
  }
}

const pair = (name: string, value: string): string => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;

export function serializeForm(form: Element | null | undefined, element?: Element): string {
  if (!form || form.tagName !== "FORM") return "";
  const data = Array.from((form as HTMLFormElement).elements).flatMap(entries).map(([n, v]) => pair(n, v));
  // SR appends the submit input that triggered the reflex, else the form's first named one.
  const trigger = element as HTMLInputElement | undefined;
  const firstSubmit = form.querySelector<HTMLInputElement>("input[type=submit]");
  if (trigger?.name && trigger.nodeName === "INPUT" && trigger.type === "submit") data.push(pair(trigger.name, trigger.value));
  else if (firstSubmit?.name) data.push(pair(firstSubmit.name, firstSubmit.value));
  return data.join("&");
}
