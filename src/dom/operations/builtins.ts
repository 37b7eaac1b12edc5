// Every operation cable-courier applies out of the box, by CableReady's camelCase name, and the opt-in
// ones a page registered (cable-courier/operations): one table per bundle copy, read at apply time.
import { browser } from "./browser.js";
import { mutations } from "./mutations.js";
import { properties } from "./properties.js";
import type { OperationFn } from "./types.js";

export const builtinOperations: Readonly<Record<string, OperationFn>> = Object.freeze({
  ...mutations,
  ...properties,
  ...browser,
});

const optedIn = new Map<string, OperationFn>();

/** Registers operations for every courier of this bundle, started or not (built-ins and `add()` win). */
export function defineOperations(table: Readonly<Record<string, OperationFn>>): void {
  for (const [name, fn] of Object.entries(table)) optedIn.set(name, fn);
}

export function optedInOperation(name: string): OperationFn | undefined {
  return optedIn.get(name);
}
