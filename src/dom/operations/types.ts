import type { Operation } from "../../protocol/types.js";

/**
 * Applies one operation to one element. `element` is null when the operation has no selector (it then
 * targets `doc`); with `selectAll` the function runs once per match. A throw is reported, never fatal.
 */
export type OperationFn = (operation: Operation, element: Element | null, doc: Document) => void;
