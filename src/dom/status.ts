// Tells the truth about the connection in the page: `<html data-cable-state class="cable-…">`, the pending
// count, and action elements that hide or disable themselves while disconnected. The disconnected look
// waits `disconnectDelay`, so a short blip never flickers; the way back is immediate.
import { Timer } from "../core/timer.js";
import type { OfflineMode } from "../options.js";
import type { CableState } from "../protocol/types.js";

export interface StatusOptions {
  /** What action elements do while disconnected, unless they say `data-reflex-offline`. */
  offline: OfflineMode;
  /** How long a disconnect lasts before the page shows it (ms). */
  disconnectDelay: number;
}

const STATES: readonly CableState[] = ["connecting", "connected", "disconnected", "offline", "refused"];
const MODES: readonly OfflineMode[] = ["queue", "hide", "disable"];
const ACTION = "[data-reflex], [data-reflex-offline]";
// Marks on what we changed, so that only our own changes are undone (an app-disabled button stays so).
const HIDDEN_MARK = "data-cable-hidden";
const DISABLED_MARK = "data-cable-disabled";
const MARKED = `[${HIDDEN_MARK}], [${DISABLED_MARK}]`;
const RENDER_EVENTS = ["turbo:load", "turbo:render", "turbolinks:load"];

const isDown = (state: CableState) => state === "disconnected" || state === "offline" || state === "refused";

export class StatusHooks {
  private wanted: CableState = "connecting";
  private shown: CableState | undefined;
  private started = false;
  /** Delays the disconnected/offline look by `disconnectDelay` (default 500 ms). */
  private readonly downTimer = new Timer(() => this.show(this.wanted));
  private readonly observer: MutationObserver;

  constructor(
    private readonly doc: Document,
    private readonly options: StatusOptions,
  ) {
    this.observer = new MutationObserver((records) => this.mutated(records));
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const name of RENDER_EVENTS) this.doc.addEventListener(name, this.rerender);
    this.show(this.wanted);
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.downTimer.cancel();
    this.observer.disconnect();
    for (const name of RENDER_EVENTS) this.doc.removeEventListener(name, this.rerender);
    for (const element of this.doc.querySelectorAll(MARKED)) this.apply(element, false);
    const html = this.doc.documentElement;
    html.removeAttribute("data-cable-state");
    for (const state of STATES) html.classList.remove(`cable-${state}`);
    this.shown = undefined;
  }

  setState(state: CableState): void {
    this.wanted = state;
    if (!this.started) return;
    if (!isDown(state)) {
      this.downTimer.cancel();
      if (state !== this.shown) this.show(state);
    } else if (this.shown && isDown(this.shown)) {
      if (state !== this.shown) this.show(state);
    } else if (!this.downTimer.pending) {
      this.downTimer.schedule(this.options.disconnectDelay);
    }
  }

  setPending(count: number): void {
    this.doc.documentElement.setAttribute("data-cable-pending", String(count));
  }

  private show(state: CableState): void {
    const html = this.doc.documentElement;
    this.shown = state;
    html.setAttribute("data-cable-state", state);
    for (const other of STATES) html.classList.toggle(`cable-${other}`, other === state);
    this.applyWithin(this.doc.documentElement);
    // Only a down page needs to catch new elements (a morph, a Turbo render) as they arrive.
    if (isDown(state)) {
      this.observer.observe(html, {
        childList: true,
        subtree: true,
        attributes: true,
        attributeFilter: ["data-reflex", "data-reflex-offline", "hidden", "disabled"],
      });
    } else {
      this.observer.disconnect();
    }
  }

  private readonly rerender = () => {
    if (this.shown) this.show(this.shown);
  };

  private mutated(records: MutationRecord[]): void {
    for (const record of records) {
      if (record.type === "attributes") this.applyTo(record.target as Element);
      else for (const node of record.addedNodes) if (node.nodeType === 1) this.applyWithin(node as Element);
    }
  }

  private applyWithin(root: Element): void {
    this.applyTo(root);
    for (const element of root.querySelectorAll(`${ACTION}, ${MARKED}`)) this.applyTo(element);
  }

  private applyTo(element: Element): void {
    const down = this.shown !== undefined && isDown(this.shown) && element.matches(ACTION);
    this.apply(element, down);
  }

  private apply(element: Element, down: boolean): void {
    const mode = down ? this.modeOf(element) : "queue";
    if (mode === "hide") hide(element);
    else unhide(element);
    if (mode === "disable") disable(element);
    else enable(element);
  }

  private modeOf(element: Element): OfflineMode {
    const mode = element.getAttribute("data-reflex-offline") as OfflineMode | null;
    return mode && MODES.includes(mode) ? mode : this.options.offline;
  }
}

function hide(element: Element): void {
  if (element.hasAttribute(HIDDEN_MARK) || element.hasAttribute("hidden")) return;
  element.setAttribute("hidden", "");
  element.setAttribute(HIDDEN_MARK, "");
}

function unhide(element: Element): void {
  if (!element.hasAttribute(HIDDEN_MARK)) return;
  element.removeAttribute("hidden");
  element.removeAttribute(HIDDEN_MARK);
}

function disable(element: Element): void {
  if (element.hasAttribute(DISABLED_MARK) || element.hasAttribute("disabled")) return;
  const added = ["disabled"];
  if (!element.hasAttribute("aria-disabled")) added.push("aria-disabled");
  element.setAttribute("disabled", "");
  if (added.includes("aria-disabled")) element.setAttribute("aria-disabled", "true");
  element.setAttribute(DISABLED_MARK, added.join(" "));
}

function enable(element: Element): void {
  const added = element.getAttribute(DISABLED_MARK);
  if (added === null) return;
  for (const name of added.split(" ")) if (name === "disabled" || name === "aria-disabled") element.removeAttribute(name);
  element.removeAttribute(DISABLED_MARK);
}
