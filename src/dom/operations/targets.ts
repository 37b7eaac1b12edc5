// Which elements an operation acts on, as CableReady resolves them: `selector` is CSS, or XPath when
// `xpath` is set; `selectAll` takes every match instead of the first; no selector means the document.
import type { Operation } from "../../protocol/types.js";

const ORDERED_NODE_SNAPSHOT_TYPE = 7;
const FIRST_ORDERED_NODE_TYPE = 9;

/** null = no selector (the operation targets the document); [] = nothing matched. */
export function resolveTargets(op: Operation, doc: Document): Element[] | null {
  const { selector } = op;
  if (selector === undefined || selector === null || selector === "") return null;
  if (typeof selector !== "string") throw new TypeError(`${op.operation}: "selector" must be a string`);
  if (op.xpath) return byXPath(doc, selector, Boolean(op.selectAll));
  if (op.selectAll) return Array.from(doc.querySelectorAll(selector));
  const element = doc.querySelector(selector);
  return element ? [element] : [];
}

function byXPath(doc: Document, expression: string, all: boolean): Element[] {
  if (typeof doc.evaluate !== "function") throw new Error("XPath selectors are not supported by this document");
  if (!all) {
    const node = doc.evaluate(expression, doc, null, FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
    return isElement(node) ? [node] : [];
  }
  const snapshot = doc.evaluate(expression, doc, null, ORDERED_NODE_SNAPSHOT_TYPE, null);
  const elements: Element[] = [];
  for (let i = 0; i < snapshot.snapshotLength; i++) {
    const node = snapshot.snapshotItem(i);
    if (isElement(node)) elements.push(node);
  }
  return elements;
}

function isElement(node: Node | null): node is Element {
  return node !== null && node.nodeType === 1;
}
