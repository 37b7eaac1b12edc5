// Every operation cable-courier applies out of the box, by CableReady's camelCase name.
import { browser } from "./browser";
import { mutations } from "./mutations";
import { properties } from "./properties";
import type { OperationFn } from "./types";

export const builtinOperations: Readonly<Record<string, OperationFn>> = Object.freeze({
  ...mutations,
  ...properties,
  ...browser,
});
