// What the outbox stores of a payload: a detached copy, without anything secret.
import type { ReflexPayload } from "../protocol/types.js";

/** A detached, structured-cloneable copy (JSON is what goes on the wire anyway), minus any password. */
export function sanitize(payload: ReflexPayload, id: string): ReflexPayload {
  const copy = JSON.parse(JSON.stringify(payload)) as ReflexPayload;
  if (typeof copy !== "object" || copy === null || Array.isArray(copy)) throw new TypeError("the payload is not an object");
  copy.id = id;
  delete copy.courier;
  const attrs = copy.attrs as Record<string, unknown> | undefined;
  if (attrs && typeof attrs === "object" && isSecret(attrs)) delete attrs.value;
  return copy;
}

// The last line of defence, on the attributes as collected: the payload builder already blanks these.
function isSecret(attrs: Record<string, unknown>): boolean {
  return (
    String(attrs.type).toLowerCase() === "password" ||
    /\b(current-password|new-password|one-time-code)\b/i.test(String(attrs.autocomplete ?? "")) ||
    "data-reflex-secret" in attrs
  );
}
