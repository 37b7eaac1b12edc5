// The offline look that src/dom/status.ts puts on action elements (a mark attribute plus the
// hidden / disabled / aria-disabled it implies). Server HTML knows nothing of it, so a morph would wipe
// it mid-outage; we copy it onto the incoming element so it stays until status.ts undoes it.

export const HIDDEN_MARK = "data-cable-hidden";
export const DISABLED_MARK = "data-cable-disabled";

/** Copies the status marks of `from` (a live element) onto `to` (the detached incoming one). */
export function carryMarks(from: Element, to: Element): void {
  if (from.hasAttribute(HIDDEN_MARK)) {
    copy(from, to, HIDDEN_MARK);
    copy(from, to, "hidden");
  }
  if (from.hasAttribute(DISABLED_MARK)) {
    copy(from, to, DISABLED_MARK);
    copy(from, to, "disabled");
    copy(from, to, "aria-disabled");
  }
}

function copy(from: Element, to: Element, name: string): void {
  const value = from.getAttribute(name);
  if (value !== null && to.getAttribute(name) !== value) to.setAttribute(name, value);
}
