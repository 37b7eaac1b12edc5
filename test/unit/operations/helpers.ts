// Shared by the operations tests: a fresh Operations on the happy-dom document, a logger that
// records, and the `courier:operation-error` events it reports.
import type { Logger, LogLevel } from "../../../src/core/logger";
import { Operations, type OperationErrorDetail } from "../../../src/dom/operations";

export interface Harness {
  operations: Operations;
  warnings: { level: LogLevel; message: string }[];
  errors: OperationErrorDetail[];
  stop(): void;
}

export function harness(): Harness {
  const warnings: Harness["warnings"] = [];
  const errors: OperationErrorDetail[] = [];
  const logger: Logger = { enabled: true, log: (level, message) => warnings.push({ level, message }) };
  const listener = (event: Event) => errors.push((event as CustomEvent<OperationErrorDetail>).detail);
  document.addEventListener("courier:operation-error", listener);
  return {
    operations: new Operations(document, logger),
    warnings,
    errors,
    stop: () => document.removeEventListener("courier:operation-error", listener),
  };
}

export function $(selector: string): HTMLElement {
  const element = document.querySelector<HTMLElement>(selector);
  if (!element) throw new Error(`no ${selector}`);
  return element;
}

/** Records the names of cable-ready:* events seen on the document, with their targets. */
export function recordEvents(names: string[]): { seen: { name: string; target: EventTarget | null; detail: unknown }[]; stop(): void } {
  const seen: { name: string; target: EventTarget | null; detail: unknown }[] = [];
  const listener = (event: Event) => seen.push({ name: event.type, target: event.target, detail: (event as CustomEvent).detail });
  for (const name of names) document.addEventListener(name, listener);
  return { seen, stop: () => names.forEach((name) => document.removeEventListener(name, listener)) };
}
