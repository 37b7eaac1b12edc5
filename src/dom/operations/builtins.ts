// Every operation cable-courier applies out of the box, by CableReady's camelCase name.
import { browser } from "./browser.js";
import { mutations } from "./mutations.js";
import { properties } from "./properties.js";
import type { OperationFn } from "./types.js";

export const builtinOperations: Readonly<Record<string, OperationFn>> = Object.freeze({
  ...mutations,
  ...properties,
  ...browser,
});
