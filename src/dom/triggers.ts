// `data-reflex="click->Counter#increment"` without per-element binding: one capture listener per event
// type on the document, so elements that arrive later (morphs, Turbo renders) work as soon as they exist.
import { parseReflexActions, type ReflexAction } from "./trigger-actions.js";

export type TriggerFire = (target: string, element: Element, event: Event) => void;

/**
 * Dispatched (bubbling, cancelable) on the element before a declarative reflex fires. A listener that
 * calls `preventDefault()` takes the reflex over (the Stimulus mixin does, to run its lifecycle callbacks),
 * and the observer then does not fire it itself.
 */
export const TRIGGER_EVENT = "courier:trigger";
export interface TriggerDetail { target: string; element: Element; event: Event }

// Natural events are always listened for: an element added and used within the same task is then
// handled before the MutationObserver has told us about it.
const ALWAYS = ["click", "change", "submit"];

export class TriggerObserver {
  private readonly _types = new Set<string>();
  private _observer: MutationObserver | undefined;

  constructor(
    private readonly _doc: Document,
    private readonly _fire: TriggerFire,
  ) {}

  start(): void {
    if (this._observer) return;
    this._observer = new MutationObserver((records) => this._observed(records));
    this._observer.observe(this._doc.documentElement, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["data-reflex"],
    });
    ALWAYS.forEach((type) => this._listen(type));
    this._scan(this._doc.documentElement);
  }

  stop(): void {
    if (!this._observer) return;
    this._observer.disconnect();
    this._observer = undefined;
    this._types.forEach((type) => this._doc.removeEventListener(type, this._handle, true));
    this._types.clear();
  }

  private _observed(records: MutationRecord[]): void {
    for (const record of records) {
      if (record.type === "attributes") this._scan(record.target as Element);
      else record.addedNodes.forEach((node) => node.nodeType === 1 && this._scan(node as Element));
    }
  }

  private _scan(root: Element): void {
    const elements = root.matches("[data-reflex]") ? [root] : [];
    elements.push(...Array.from(root.querySelectorAll("[data-reflex]")));
    for (const element of elements) for (const action of parseReflexActions(element)) this._listen(action.event);
  }

  private _listen(type: string): void {
    if (this._types.has(type)) return;
    this._types.add(type);
    this._doc.addEventListener(type, this._handle, true);
  }

  private readonly _handle = (event: Event): void => {
    const found = this._match(event);
    if (!found) return;
    const { element, actions } = found;
    if (navigates(element, event)) event.preventDefault();
    for (const { target } of actions) {
      const detail: TriggerDetail = { target, element, event };
      const trigger = new CustomEvent(TRIGGER_EVENT, { bubbles: true, cancelable: true, detail });
      if (element.dispatchEvent(trigger)) this._fire(target, element, event);
    }
  };

  /** The innermost `[data-reflex]` element around the event's target with an action for this event. */
  private _match(event: Event): { element: Element; actions: ReflexAction[] } | undefined {
    const origin = event.target as Node | null;
    let element = (origin?.nodeType === 1 ? (origin as Element) : origin?.parentElement)?.closest("[data-reflex]");
    while (element) {
      const actions = parseReflexActions(element).filter((action) => action.event === event.type);
      if (actions.length) return element.hasAttribute("disabled") ? undefined : { element, actions };
      element = element.parentElement?.closest("[data-reflex]");
    }
    return undefined;
  }
}

/** Whether the browser's default action would leave the page: a form submit, a link or submit button click. */
function navigates(element: Element, event: Event): boolean {
  if (event.type === "submit") return true;
  if (event.type !== "click") return false;
  if (element.tagName === "A") return true;
  const { type, form } = element as HTMLInputElement;
  const submits = element.tagName === "BUTTON" ? type === "submit" : element.tagName === "INPUT" && (type === "submit" || type === "image");
  return submits && form !== null;
}
