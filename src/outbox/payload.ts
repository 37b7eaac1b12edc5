// What the outbox stores of a payload: a detached copy, without anything secret.
import { isSecret } from "../protocol/secrets.js";
import type { ReflexPayload } from "../protocol/types.js";

/** A detached, structured-cloneable copy (JSON is what goes on the wire anyway), minus any password. */
export function sanitize(payload: ReflexPayload, id: string): ReflexPayload {
  const copy = JSON.parse(JSON.stringify(payload)) as ReflexPayload;
  if (typeof copy !== "object" || copy === null || Array.isArray(copy)) throw new TypeError("the payload is not an object");
  copy.id = id;
  delete copy.courier;
  const attrs = copy.attrs as Record<string, unknown> | undefined;
  // The last line of defence, on the attributes as collected: the payload builder already blanks these.
  if (attrs && typeof attrs === "object" && isSecret(attrs.type, attrs.autocomplete, "data-reflex-secret" in attrs)) {
    delete attrs.value;
    delete attrs.values; // a secret <select>'s chosen options
  }
  return copy;
}

