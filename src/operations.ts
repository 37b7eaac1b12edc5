// `cable-courier/operations`: the rarely used CableReady operations, opt-in so the ESM build stays small
// (the IIFE registers them itself). Call `addRareOperations()` once, before or after start().
import { defineOperations } from "./dom/operations/builtins.js";
import { rareOperations } from "./dom/operations/rare.js";

export { rareOperations };

/** Makes every courier of this bundle apply insertAdjacentText, graft, setProperty, setStyle(s), setTitle, setMeta, consoleLog, replaceState, reload and scrollIntoView. */
export function addRareOperations(): void {
  defineOperations(rareOperations);
}
