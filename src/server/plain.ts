// Answers in the shape of an unmodified StimulusReflex 3.5.5 server (fixtures/stimulus-reflex-3.5.5):
// one CableReady envelope per reflex, no acks. The stock StimulusReflex client settles a reflex from the
// operations that carry a `stimulusReflex` echo of its payload, so morphs and the morph-* events carry one.
import type { CableReadyEnvelope, Operation } from "../protocol/types.js";
import { dispatchEvent } from "./operations.js";
import type { StoredResult } from "./store.js";

export const CABLE_READY_VERSION = "5.0.6";

/** Operations the StimulusReflex client counts towards a reflex; the rest ride along ("piggyback"). */
const MORPHS = new Set(["morph", "innerHtml"]);

export function envelope(operations: Operation[]): CableReadyEnvelope {
  return { cableReady: true, operations, version: CABLE_READY_VERSION };
}

/** Rails' `deep_transform_keys { camelize(:lower) }`: `tag_name` → `tagName`, `data-reflex` unchanged. */
export function camelizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelizeKeys);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key.replace(/_([a-z\d])/g, (_, c: string) => c.toUpperCase())] = camelizeKeys(inner);
  }
  return out;
}

function echo(payload: Record<string, unknown>, morph: string): Record<string, unknown> {
  return { ...(camelizeKeys(payload) as Record<string, unknown>), morph };
}

/** The operations a plain StimulusReflex server sends for one reflex's outcome; each carries `reflexId`. */
export function plainOperations(payload: Record<string, unknown>, reflexId: string, result: StoredResult): Operation[] {
  if (result.error !== undefined) {
    const event = dispatchEvent("stimulus-reflex:morph-error");
    return [{ ...event, payload: {}, stimulusReflex: echo(payload, "error"), error: result.error, reflexId }];
  }
  const operations = result.operations ?? [];
  const counted = operations.some((op) => MORPHS.has(op.operation));
  const out: Operation[] = operations.map((op) =>
    MORPHS.has(op.operation) ? { ...op, payload: {}, stimulusReflex: echo(payload, "selector"), reflexId } : { ...op, reflexId },
  );
  if (!counted) {
    const nothing = dispatchEvent("stimulus-reflex:morph-nothing");
    out.push({ ...nothing, payload: {}, stimulusReflex: echo(payload, "nothing"), reflexId });
  }
  return out;
}
