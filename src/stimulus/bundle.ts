// `cable-courier/stimulus-bundle` (dist/stimulus.bundle.js): one self-contained file for import maps —
// the courier, its dependencies and the Stimulus API — importing nothing but `@hotwired/stimulus`.
export * from "../index.js";
export * from "./index.js";
