// Reading an operation's options. Values come from the server, so each is checked and coerced here,
// and a wrong type is a clear error (reported for that operation) instead of "[object Object]" in the page.
import type { Operation } from "../../protocol/types.js";

/** A string, number or boolean option as a string; absent means "". */
export function scalar(op: Operation, key: string): string {
  const value = op[key];
  if (value === undefined || value === null) return "";
  const type = typeof value;
  if (type === "string" || type === "number" || type === "boolean") return String(value);
  throw new TypeError(`${op.operation}: "${key}" must be a string, number or boolean`);
}

/** A required non-empty string option. */
export function name(op: Operation, key = "name"): string {
  const value = op[key];
  if (typeof value !== "string" || value === "") throw new TypeError(`${op.operation}: "${key}" must be a non-empty string`);
  return value;
}

/** An object option (event detail, history state); absent means {}. */
export function object(op: Operation, key: string): Record<string, unknown> {
  const value = op[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== "object") throw new TypeError(`${op.operation}: "${key}" must be an object`);
  return value as Record<string, unknown>;
}

/**
 * An enum option (scrollIntoView's behavior, block, inline): absent is undefined, anything not listed is
 * an error reported for the operation. Checked here because some DOM APIs fail on a bad value in a way no
 * try/catch around the call sees (Chromium raises it as a page error).
 */
export function choice<T extends string>(op: Operation, key: string, allowed: readonly T[]): T | undefined {
  const value = op[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new TypeError(`${op.operation}: "${key}" must be one of ${allowed.join(", ")}`);
}

/** Class names from a string ("a b") or an array of strings, split on whitespace. */
export function classNames(op: Operation): string[] {
  const value = op.name;
  const parts = Array.isArray(value) ? value : [value];
  const names: string[] = [];
  for (const part of parts) {
    if (typeof part !== "string") throw new TypeError(`${op.operation}: "name" must be a string or an array of strings`);
    for (const token of part.split(/\s+/)) if (token) names.push(token);
  }
  return names;
}

/** The element an element operation needs; operations without a selector get none. */
export function need(op: Operation, element: Element | null): Element {
  if (!element) throw new Error(`${op.operation} needs a selector`);
  return element;
}

const kebabCache = new Map<string, string>();

/** CableReady's kebabize: "innerHtml" → "inner-html", "setCSSClass" → "set-css-class". */
export function kebab(operation: string): string {
  let cached = kebabCache.get(operation);
  if (cached === undefined) {
    const words = operation.match(/([A-Z]{2,}|[0-9]+|[A-Z]?[a-z]+|[A-Z])/g) ?? [];
    cached = words.map((word) => word.toLowerCase()).join("-");
    kebabCache.set(operation, cached);
  }
  return cached;
}
