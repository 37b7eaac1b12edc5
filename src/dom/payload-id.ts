// Reflex ids and the page's tab id: random v4 UUIDs, as StimulusReflex sends them.

/** `crypto.randomUUID` exists only in secure contexts, so plain-http pages get the same from getRandomValues. */
export function uuid(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const TAB_ID = Symbol.for("cable-courier:tab-id");

/**
 * One id per page load, like SR's module-level `tabId`. It lives on `globalThis` so a second copy of the
 * bundle on the page (or the IIFE build beside the ESM one) reports the same tab; a Turbo visit keeps it.
 */
export function tabId(): string {
  const slot = globalThis as unknown as Record<symbol, string | undefined>;
  return (slot[TAB_ID] ??= uuid());
}
