// The real frames of an unmodified StimulusReflex 3.5.5 server and client (see the fixture's README):
// the ground truth for wire compatibility, kept in the repo so every test run reads the same copy.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// A string, not `new URL(...)`: under happy-dom the global URL is not the one node:url accepts.
const path = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/stimulus-reflex-3.5.5/frames.json");

export function stimulusReflexFrames<T = unknown>(): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}
