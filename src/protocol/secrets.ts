// Which fields must never be stored or sent (docs/PROTOCOL.md §6). Pure: it reads attribute values, so
// the payload builder (on elements) and the outbox (on collected attrs) apply the same rule.

// A "show password" toggle changes an input's type, not its autocomplete, so both are read.
const SECRET_AUTOCOMPLETE = /\b(current-password|new-password|one-time-code)\b/i;

/** `type` and `autocomplete` as the field has them; `marked` when it carries `data-reflex-secret`. */
export function isSecret(type: unknown, autocomplete: unknown, marked: boolean): boolean {
  return String(type).toLowerCase() === "password" || SECRET_AUTOCOMPLETE.test(String(autocomplete ?? "")) || marked;
}
