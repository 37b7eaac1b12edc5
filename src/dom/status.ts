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
  private _wanted: CableState = "connecting";
  private _shown: CableState | undefined;
  private _started = false;
  /** Delays the disconnected/offline look by `disconnectDelay` (default 500 ms). */
  private readonly _downTimer = new Timer(() => this._show(this._wanted));
  private readonly _observer: MutationObserver;

  constructor(
    private readonly _doc: Document,
    private readonly _options: StatusOptions,
  ) {
    this._observer = new MutationObserver((records) => this._mutated(records));
  }

  start(): void {
    if (this._started) return;
    this._started = true;
    for (const name of RENDER_EVENTS) this._doc.addEventListener(name, this._rerender);
    this._show(this._wanted);
  }

  stop(): void {
    if (!this._started) return;
    this._started = false;
    this._downTimer.cancel();
    this._observer.disconnect();
    for (const name of RENDER_EVENTS) this._doc.removeEventListener(name, this._rerender);
    for (const element of this._doc.querySelectorAll(MARKED)) this._apply(element, false);
    const html = this._doc.documentElement;
    html.removeAttribute("data-cable-state");
    for (const state of STATES) html.classList.remove(`cable-${state}`);
    this._shown = undefined;
  }

  setState(state: CableState): void {
    this._wanted = state;
    if (!this._started) return;
    if (!isDown(state)) {
      this._downTimer.cancel();
      if (state !== this._shown) this._show(state);
    } else if (this._shown && isDown(this._shown)) {
      if (state !== this._shown) this._show(state);
    } else if (!this._downTimer.pending) {
      this._downTimer.schedule(this._options.disconnectDelay);
    }
  }

  setPending(count: number): void {
    this._doc.documentElement.setAttribute("data-cable-pending", String(count));
  }

  private _show(state: CableState): void {
    const html = this._doc.documentElement;
    this._shown = state;
    html.setAttribute("data-cable-state", state);
    for (const other of STATES) html.classList.toggle(`cable-${other}`, other === state);
    this._applyWithin(this._doc.documentElement);
    // Only a down page needs to catch new elements (a morph, a Turbo render) as they arrive.
    if (isDown(state)) {
      this._observer.observe(html, {
        childList: true,
        subtree: true,
        attributes: true,
        attributeFilter: ["data-reflex", "data-reflex-offline", "hidden", "disabled"],
      });
    } else {
      this._observer.disconnect();
    }
  }

  private readonly _rerender = () => {
    if (this._shown) this._show(this._shown);
  };

  private _mutated(records: MutationRecord[]): void {
    for (const record of records) {
      if (record.type === "attributes") this._applyTo(record.target as Element);
      else for (const node of record.addedNodes) if (node.nodeType === 1) this._applyWithin(node as Element);
    }
  }

  private _applyWithin(root: Element): void {
    this._applyTo(root);
    for (const element of root.querySelectorAll(`${ACTION}, ${MARKED}`)) this._applyTo(element);
  }

  private _applyTo(element: Element): void {
    const down = this._shown !== undefined && isDown(this._shown) && element.matches(ACTION);
    this._apply(element, down);
  }

  private _apply(element: Element, down: boolean): void {
    const mode = down ? this._modeOf(element) : "queue";
    if (mode === "hide") hide(element);
    else unhide(element);
    if (mode === "disable") disable(element);
    else enable(element);
  }

  private _modeOf(element: Element): OfflineMode {
    const mode = element.getAttribute("data-reflex-offline") as OfflineMode | null;
    return mode && MODES.includes(mode) ? mode : this._options.offline;
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
