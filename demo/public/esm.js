// Entry of the ESM pages: Turbo Drive, the page's one courier, and the Stimulus controllers.
// Turbo keeps this module across visits; `start()` would return the same courier anyway.
import "@hotwired/turbo";
import { start } from "cable-courier";
import "/controllers.js";

window.courier = start();
