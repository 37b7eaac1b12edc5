// The Stimulus side of the demo: one controller using the cable-courier mixin. "Last reflex" shows the
// latest Counter reflex of this tab and its stage, whichever button ran it (the controller's
// this.stimulate or the declarative data-reflex one), from the courier's events on `document`; the last
// one is kept in the module, so coming back to the page by a Turbo visit shows it too.
import { Application, Controller } from "@hotwired/stimulus";
import { useReflex } from "cable-courier/stimulus";

const STAGE_EVENTS = ["courier:queued", "courier:sent", "courier:received", "courier:committed", "courier:failed"];
const STAGE_TEXT = {
  queued: "queued (sent when the server is back)",
  sent: "sent",
  received: "received by the server",
  committed: "committed",
  failed: "failed",
};
let last = null; // {target, stage, error}

class CounterController extends Controller {
  static targets = ["status"];

  connect() {
    useReflex(this);
    this.onStage = (event) => {
      if (!event.detail.target.startsWith("Counter#")) return;
      last = { target: event.detail.target, stage: event.detail.stage, error: event.detail.error };
      this.show();
    };
    for (const name of STAGE_EVENTS) document.addEventListener(name, this.onStage);
    this.show();
  }

  disconnect() {
    for (const name of STAGE_EVENTS) document.removeEventListener(name, this.onStage);
  }

  add(event) {
    const step = Number(event.currentTarget.dataset.step);
    this.stimulate("Counter#increment", event.currentTarget, step).catch(() => {
      // courier:failed above already says so on the page.
    });
  }

  show() {
    if (!this.hasStatusTarget || !last) return;
    const stage = STAGE_TEXT[last.stage] ?? last.stage;
    this.statusTarget.textContent = `${last.target} ${stage}${last.error ? `: ${last.error}` : ""}`;
  }
}

// Turbo keeps this module for the life of the tab: start Stimulus once.
window.Stimulus ??= Application.start();
window.Stimulus.register("counter", CounterController);
