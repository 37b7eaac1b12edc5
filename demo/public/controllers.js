// The Stimulus side of the demo: one controller using the cable-courier mixin. Its lifecycle methods
// follow StimulusReflex's names, so existing StimulusReflex controllers port as they are.
import { Application, Controller } from "@hotwired/stimulus";
import { useReflex } from "cable-courier/stimulus";

class CounterController extends Controller {
  static targets = ["status"];

  connect() {
    useReflex(this);
  }

  add(event) {
    const step = Number(event.currentTarget.dataset.step);
    this.stimulate("Counter#increment", event.currentTarget, step).catch(() => {
      // reflexError below already says so on the page.
    });
  }

  beforeReflex() {
    this.show("sending…");
  }

  reflexQueued() {
    this.show("queued (will be sent when the server is back)");
  }

  reflexSuccess(element, target) {
    this.show(`${target} committed`);
  }

  reflexError(element, target, error) {
    this.show(`${target} failed: ${error}`);
  }

  show(text) {
    if (this.hasStatusTarget) this.statusTarget.textContent = text;
  }
}

// Turbo keeps this module for the life of the tab: start Stimulus once.
window.Stimulus ??= Application.start();
window.Stimulus.register("counter", CounterController);
