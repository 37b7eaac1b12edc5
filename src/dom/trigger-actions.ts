// Parsing `data-reflex`: space-separated `event->Class#method` tokens; a bare `Class#method` uses the
// element's natural event, as a Stimulus action without an event name does.

export interface ReflexAction {
  event: string;
  /** "Class#method", as the payload's `target`. */
  target: string;
}

const CLICKED_INPUTS = new Set(["submit", "button", "reset", "image"]);

export function naturalEvent(element: Element): string {
  switch (element.tagName) {
    case "FORM":
      return "submit";
    case "SELECT":
    case "TEXTAREA":
      return "change";
    case "INPUT":
      return CLICKED_INPUTS.has((element as HTMLInputElement).type) ? "click" : "change";
    default:
      return "click";
  }
}

export function parseReflexActions(element: Element): ReflexAction[] {
  const actions: ReflexAction[] = [];
  for (const token of (element.getAttribute("data-reflex") ?? "").split(/\s+/)) {
    const arrow = token.indexOf("->");
    const event = arrow === -1 ? naturalEvent(element) : token.slice(0, arrow);
    const target = arrow === -1 ? token : token.slice(arrow + 2);
    if (event && /^[^#]+#[^#]+$/.test(target)) actions.push({ event, target });
  }
  return actions;
}
