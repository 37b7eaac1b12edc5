// The script-tag build (`window.CableCourier`): the whole public entry plus `useReflex`, which needs no
// copy of Stimulus (the page's controllers bring their own).
export * from "./index.js";
export { useReflex, register } from "./stimulus/use-reflex.js";
export { addRareOperations, rareOperations } from "./operations.js";
import { addRareOperations } from "./operations.js";

// The IIFE promises every feature in one file: the opt-in operations come registered.
addRareOperations();
