// Applies CableReady envelopes the way CableReady 5 does: in order, each operation wrapped in
// cancelable `cable-ready:before-*` / `cable-ready:after-*` events. One bad operation (unknown, missing
// element, bad option, a throw) is reported and skipped; the rest of the batch still lands.
import { dispatch } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { Operation } from "../protocol/types.js";
import { builtinOperations, optedInOperation } from "./operations/builtins.js";
import { resolveTargets } from "./operations/targets.js";
import type { OperationFn } from "./operations/types.js";
import { kebab } from "./operations/values.js";

export type { OperationFn } from "./operations/types.js";

export type OperationErrorReason = "malformed" | "unknown-operation" | "missing-element" | "error";

/** The detail of `courier:operation-error` on the document. */
export interface OperationErrorDetail {
  /** The operation concerned; null when a whole envelope was malformed. */
  operation: Operation | null;
  reason: OperationErrorReason;
  message: string;
  /** The thrown error (reason "error") or the rejected data (reason "malformed"). */
  error?: unknown;
}

export class Operations {
  private readonly _table = new Map<string, OperationFn>(Object.entries(builtinOperations));

  constructor(
    private readonly _doc: Document,
    private readonly _logger: Logger,
  ) {}

  has(name: string): boolean {
    return this._table.has(name) || optedInOperation(name) !== undefined;
  }

  /** Adds (or replaces) an operation; it gets the same events, selectors and error handling as the built-ins. */
  add(name: string, fn: OperationFn): void {
    if (typeof name !== "string" || name === "") throw new TypeError("operation name must be a non-empty string");
    if (typeof fn !== "function") throw new TypeError(`operation "${name}" must be a function`);
    this._table.set(name, fn);
  }

  /** Validates `{cableReady: true, operations: [...]}` and applies it; false (reported) when malformed. Never throws. */
  applyEnvelope(data: unknown): boolean {
    const envelope = data as { cableReady?: unknown; operations?: unknown } | null;
    if (typeof envelope !== "object" || envelope === null || envelope.cableReady !== true || !Array.isArray(envelope.operations)) {
      this._report(null, "malformed", "not a CableReady envelope ({cableReady: true, operations: [...]})", data);
      return false;
    }
    this.apply(envelope.operations as Operation[]);
    return true;
  }

  /** Applies operations in order. Never throws. */
  apply(operations: Operation[]): void {
    if (!Array.isArray(operations)) {
      this._report(null, "malformed", "operations must be an array", operations);
      return;
    }
    const batches = countBatches(operations);
    for (const operation of operations) {
      if (typeof operation !== "object" || operation === null || typeof operation.operation !== "string") {
        this._report(null, "malformed", "an operation must be an object with an `operation` name", operation);
        continue;
      }
      // An operation can break the very DOM APIs we use next (setProperty "dispatchEvent"): whatever it
      // throws stays here, so the next operations and the reflex's commit still happen.
      try {
        this._applyOne(operation);
        const batch = operation.batch;
        if (typeof batch === "string" && batches.has(batch)) {
          const left = (batches.get(batch) ?? 1) - 1;
          batches.set(batch, left);
          if (left === 0) dispatch(this._doc, "cable-ready:batch-complete", { batch }, true);
        }
      } catch (error) {
        this._report(operation, "error", `${operation.operation} failed: ${describe(error)}`, error);
      }
    }
  }

  private _applyOne(operation: Operation): void {
    const fn = this._table.get(operation.operation) ?? optedInOperation(operation.operation);
    if (!fn) {
      this._report(operation, "unknown-operation", `unknown operation "${operation.operation}"`);
      return;
    }
    let targets: Element[] | null;
    try {
      targets = resolveTargets(operation, this._doc);
    } catch (error) {
      this._report(operation, "error", `${operation.operation}: bad selector (${describe(error)})`, error);
      return;
    }
    if (targets === null) this._run(operation, fn, null);
    else if (targets.length === 0) {
      this._report(operation, "missing-element", `${operation.operation}: no element matches ${String(operation.selector)}`);
    } else for (const element of targets) this._run(operation, fn, element);
  }

  private _run(operation: Operation, fn: OperationFn, element: Element | null): void {
    const doc = this._doc;
    const name = kebab(operation.operation);
    // A copy carrying the element, as CableReady's detail does; listeners may edit it (or set
    // `cancel`) before it runs, and the caller's operation (maybe bound for storage) is never mutated.
    const detail: Operation = { ...operation, element: element ?? doc };
    if (!dispatch(element ?? doc, `cable-ready:before-${name}`, detail, true) || detail.cancel === true) return;
    const parent = element?.parentElement ?? null;
    const previous = element?.previousElementSibling ?? null;
    try {
      fn(detail, element, doc);
    } catch (error) {
      this._report(operation, "error", `${operation.operation} failed: ${describe(error)}`, error);
      return;
    }
    dispatch(afterTarget(doc, operation, element, parent, previous), `cable-ready:after-${name}`, detail, true);
  }

  private _report(operation: Operation | null, reason: OperationErrorReason, message: string, error?: unknown): void {
    const detail: OperationErrorDetail = { operation, reason, message };
    if (error !== undefined) detail.error = error;
    // Loud without `debug` too: an operation that did not apply is a page that silently differs.
    if (this._logger.enabled) this._logger.log("warn", message, detail);
    else console.warn(`[cable-courier] ${message}`, detail);
    try {
      dispatch(this._doc, "courier:operation-error", detail);
    } catch {
      // the document's own dispatchEvent was overwritten: the warning above has it
    }
  }
}

/** Where `after-*` goes: the element, or what took its place (outerHtml, replace, morph), or the document. */
function afterTarget(doc: Document, op: Operation, element: Element | null, parent: Element | null, previous: Element | null): EventTarget {
  if (!element || element.isConnected) return element ?? doc;
  if (op.operation === "remove" || !parent || !parent.isConnected) return doc;
  const successor = previous && previous.parentElement === parent ? previous.nextElementSibling : parent.firstElementChild;
  return successor ?? doc;
}

function countBatches(operations: Operation[]): Map<string, number> {
  const batches = new Map<string, number>();
  for (const op of operations) {
    const batch = op && typeof op === "object" ? op.batch : undefined;
    if (typeof batch === "string" && typeof op.operation === "string") batches.set(batch, (batches.get(batch) ?? 0) + 1);
  }
  return batches;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
