// The attributes the SDK itself puts on elements (stage marks, offline marks): they describe our state,
// not the app's markup, so they never reach the server in `attrs` or `dataset` (issue 9 item 5).
import { DISABLED_MARK, HIDDEN_MARK } from "./morph-marks.js";

export const STAGE_MARK = "data-reflex-state";

/** The names of the element's attributes that the SDK added. */
export function sdkAttributes(element: Element): Set<string> {
  const names = new Set<string>();
  if (element.hasAttribute(STAGE_MARK)) {
    names.add(STAGE_MARK);
    names.add("aria-busy"); // set with the stage mark while a reflex of the element is pending
  }
  if (element.hasAttribute(HIDDEN_MARK)) names.add(HIDDEN_MARK).add("hidden");
  const disabled = element.getAttribute(DISABLED_MARK);
  if (disabled !== null) {
    names.add(DISABLED_MARK);
    for (const name of disabled.split(" ")) if (name === "disabled" || name === "aria-disabled") names.add(name);
  }
  return names;
}
