// Validation of everything a socket sends. Each function returns a value or a reason string, never throws:
// a bad frame costs one log line, never the socket or the process.
import type { ChannelParams, ClientCommand, CourierStamp } from "../protocol/types.js";
import type { InboundReflex } from "./types.js";

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const TARGET = /^[A-Za-z0-9_:]+#[A-Za-z0-9_]+$/;
const MAX_ID = 200;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseObject(text: string, what: string): Checked<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: `${what} is not JSON` };
  }
  return isRecord(value) ? { ok: true, value } : { ok: false, error: `${what} is not an object` };
}

export function parseCommand(text: string): Checked<ClientCommand> {
  const parsed = parseObject(text, "frame");
  if (!parsed.ok) return parsed;
  const { command, identifier, data } = parsed.value;
  if (typeof identifier !== "string") return { ok: false, error: "frame has no string identifier" };
  if (command === "subscribe" || command === "unsubscribe") return { ok: true, value: { command, identifier } };
  if (command === "message") {
    if (typeof data !== "string") return { ok: false, error: "message has no string data" };
    return { ok: true, value: { command, identifier, data } };
  }
  return { ok: false, error: `unknown command ${JSON.stringify(command)}` };
}

export function parseIdentifier(identifier: string): Checked<ChannelParams> {
  const parsed = parseObject(identifier, "identifier");
  if (!parsed.ok) return parsed;
  if (typeof parsed.value.channel !== "string") return { ok: false, error: "identifier has no channel" };
  return { ok: true, value: parsed.value as ChannelParams };
}

export function parseData(data: string): Checked<Record<string, unknown>> {
  return parseObject(data, "message data");
}

export function isClientId(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_ID;
}

export function isReflexId(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_ID;
}

export function checkStamp(value: unknown): Checked<CourierStamp> {
  if (!isRecord(value)) return { ok: false, error: "courier stamp is not an object" };
  const { v, clientId, seq } = value;
  if (v !== 1) return { ok: false, error: `unsupported courier version ${JSON.stringify(v)}` };
  if (!isClientId(clientId)) return { ok: false, error: "courier stamp has no valid clientId" };
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) return { ok: false, error: "courier stamp has no valid seq" };
  if (value.void !== undefined && value.void !== true) return { ok: false, error: "courier stamp has an invalid void flag" };
  return { ok: true, value: value.void ? { v, clientId, seq, void: true } : { v, clientId, seq } };
}

/** Checks a reflex payload whose `id` is already known to be valid. */
export function checkReflex(data: Record<string, unknown>): Checked<InboundReflex> {
  if (typeof data.target !== "string" || !TARGET.test(data.target)) {
    return { ok: false, error: `invalid target ${JSON.stringify(data.target)}` };
  }
  if (data.args !== undefined && !Array.isArray(data.args)) return { ok: false, error: "args is not an array" };
  return { ok: true, value: { ...data, args: data.args ?? [] } as InboundReflex };
}
