// Shows each reflex's stage on the element that triggered it (`data-reflex-state`, `aria-busy`) and
// announces it as a bubbling `courier:<stage>` event, so CSS and app code can follow a reflex.
import { dispatch } from "../core/events.js";
import type { Stage, StageDetail } from "../protocol/types.js";

export type { StageDetail };

export const isTerminal = (stage: Stage): boolean => stage === "committed" || stage === "failed";

/** Reflexes still pending per element, so one reflex finishing does not clear `aria-busy` for another. */
const pendingByElement = new WeakMap<Element, Set<string>>();

function mark(element: Element, detail: StageDetail): void {
  const pending = pendingByElement.get(element) ?? new Set<string>();
  if (isTerminal(detail.stage)) pending.delete(detail.id);
  else pending.add(detail.id);
  if (pending.size) pendingByElement.set(element, pending);
  else pendingByElement.delete(element);

  element.setAttribute("data-reflex-state", detail.stage);
  if (pending.size) element.setAttribute("aria-busy", "true");
  else element.removeAttribute("aria-busy");
}

/**
 * Marks the element (when it is still in the page) and dispatches `courier:<stage>` with the detail on
 * it, or on the document when the element is gone, so a listener on the document always hears it.
 */
export function markStage(element: Element | undefined, detail: StageDetail, doc: Document = document): void {
  const live = element?.isConnected ? element : undefined;
  if (live) mark(live, detail);
  else if (element) pendingByElement.delete(element);
  dispatch(live ?? doc, `courier:${detail.stage}`, detail);
}
