// What the user is doing when a morph lands: the focused field, its typed value and caret, or the
// contenteditable host they are typing in. Taken once before the morph so the per-node callback only
// compares identities, and restored after it, because moving a focused node (keyed matching uses
// insertBefore) blurs it in real browsers.

/** Input types whose value the user types; morphing them would overwrite it (morphdom #134). */
const TEXT_TYPES: Record<string, true> = {
  "datetime-local": true, color: true, date: true, datetime: true, email: true, month: true,
  number: true, password: true, range: true, search: true, tel: true, text: true, time: true,
  url: true, week: true,
};

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

export interface FocusSnapshot {
  /** The focused element, if any. */
  readonly active: HTMLElement | null;
  /** The focused field whose value must not be touched, when the focus is in one. */
  readonly field: Field | null;
  /** The outermost contenteditable host holding the focus, left alone entirely. */
  readonly editable: HTMLElement | null;
  readonly value: string;
  readonly start: number | null;
  readonly end: number | null;
  readonly direction: "forward" | "backward" | "none" | null;
}

export function isTextField(element: Element): element is Field {
  const name = element.nodeName;
  if (name === "TEXTAREA" || name === "SELECT") return true;
  return name === "INPUT" && TEXT_TYPES[(element as HTMLInputElement).type] === true;
}

export function takeFocus(doc: Document): FocusSnapshot {
  const focused = doc.activeElement;
  const active = focused && focused !== doc.body && focused !== doc.documentElement ? (focused as HTMLElement) : null;
  const field = active && isTextField(active) ? active : null;
  const selectable = field && field.nodeName !== "SELECT" ? (field as HTMLInputElement) : null;
  return {
    active,
    field,
    editable: active ? editingHost(active) : null,
    value: field ? field.value : "",
    start: selection(selectable, "selectionStart"),
    end: selection(selectable, "selectionEnd"),
    direction: selectable ? (selection(selectable, "selectionDirection") as FocusSnapshot["direction"]) : null,
  };
}

/** Puts focus, value and caret back if the morph moved them; a no-op when nothing moved. */
export function restoreFocus(doc: Document, snapshot: FocusSnapshot): void {
  const { active, field } = snapshot;
  if (!active || !active.isConnected) return;
  if (doc.activeElement !== active) active.focus({ preventScroll: true });
  if (!field) return;
  if (field.value !== snapshot.value) field.value = snapshot.value;
  const input = field as HTMLInputElement;
  const { start, end, direction } = snapshot;
  if (start === null || end === null) return;
  if (input.selectionStart !== start || input.selectionEnd !== end || input.selectionDirection !== direction) {
    try {
      input.setSelectionRange(start, end, direction ?? undefined);
    } catch {
      // Types without a selection API (email, number) throw; their caret is the browser's business.
    }
  }
}

function editingHost(element: HTMLElement): HTMLElement | null {
  let host: HTMLElement | null = null;
  for (let el: HTMLElement | null = element; el && el.isContentEditable; el = el.parentElement) host = el;
  return host;
}

function selection<K extends "selectionStart" | "selectionEnd" | "selectionDirection">(
  input: HTMLInputElement | null,
  key: K,
): HTMLInputElement[K] | null {
  if (!input) return null;
  try {
    return input[key];
  } catch {
    return null; // some input types throw on the selection API instead of returning null
  }
}
