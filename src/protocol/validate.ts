// Runtime validation of everything that arrives from the socket. Pure: no DOM, no I/O. Every function
// returns a ProtocolError instead of throwing, so a bad frame is reported and dropped, never fatal.
import type {
  AckKind,
  CableReadyEnvelope,
  ChannelParams,
  CourierAck,
  CourierHello,
  InboundMessage,
  Operation,
  ServerFrame,
} from "./types.js";

/** A frame or message that is not one of the shapes in docs/PROTOCOL.md; `raw` is what arrived. */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
  constructor(
    message: string,
    readonly raw: unknown,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isPositiveInteger = (value: unknown): value is number => Number.isInteger(value) && (value as number) > 0;
const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;
const ACK_KINDS: readonly AckKind[] = ["received", "committed", "failed", "gap", "conflict"];

/** Deepest nesting a frame may have; ours nest a handful of levels, CableReady operations a few more. */
export const MAX_DEPTH = 64;

/**
 * True when `text` nests arrays/objects deeper than `limit`. One pass over the characters, skipping
 * strings, so a 16 MB `[[[…` is refused in milliseconds instead of being parsed into millions of arrays.
 */
export function nestsDeeper(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > limit) return true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return false;
}

/**
 * A short description of an untrusted value for an error message: never JSON.stringify (a deeply nested
 * or huge value would take seconds or throw), at most a few levels and 80 characters.
 */
export function summarize(value: unknown, depth = 2): string {
  const text = describeValue(value, depth);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeValue(value: unknown, depth: number): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? value.slice(0, 80) : value);
  if (value === null || typeof value !== "object") return String(value);
  if (depth <= 0) return Array.isArray(value) ? "[…]" : "{…}";
  if (Array.isArray(value)) {
    const items = value.slice(0, 4).map((item) => describeValue(item, depth - 1));
    return `[${items.join(",")}${value.length > 4 ? ",…" : ""}]`;
  }
  const keys = Object.keys(value);
  const entries = keys.slice(0, 4).map((key) => `${JSON.stringify(key.slice(0, 40))}:${describeValue((value as Json)[key], depth - 1)}`);
  return `{${entries.join(",")}${keys.length > 4 ? ",…" : ""}}`;
}

/** Parses and checks one ActionCable server frame, before ActionCable itself sees it. */
export function parseServerFrame(raw: string): ServerFrame | ProtocolError {
  if (typeof raw !== "string") return new ProtocolError("frame is not text", raw);
  if (nestsDeeper(raw, MAX_DEPTH)) return new ProtocolError(`frame nests deeper than ${MAX_DEPTH} levels`, raw);
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    return new ProtocolError("frame is not JSON", raw);
  }
  if (!isObject(frame)) return new ProtocolError("frame is not a JSON object", raw);
  const fail = (why: string) => new ProtocolError(`${why}: ${raw.slice(0, 200)}`, raw);
  const { type, identifier } = frame;

  if (type === undefined) {
    if (typeof identifier !== "string") return fail("channel message without a string identifier");
    if (!("message" in frame)) return fail("channel message without a message");
    return { identifier, message: frame.message };
  }
  switch (type) {
    case "welcome":
      // Stock ActionCable reads nothing of a welcome but its type: a malformed sid is dropped, not fatal.
      return typeof frame.sid === "string" ? { type: "welcome", sid: frame.sid } : { type: "welcome" };
    case "ping":
      if (typeof frame.message !== "number" || !Number.isFinite(frame.message)) return fail("ping without a numeric message");
      return { type: "ping", message: frame.message };
    case "confirm_subscription":
    case "reject_subscription":
      if (typeof identifier !== "string") return fail(`${type} without a string identifier`);
      return { type, identifier } as ServerFrame;
    case "disconnect": {
      const { reason, reconnect } = frame;
      if (reason !== undefined && typeof reason !== "string") return fail("disconnect with a non-string reason");
      if (reconnect !== undefined && typeof reconnect !== "boolean") return fail("disconnect with a non-boolean reconnect");
      return { type: "disconnect", reason, reconnect };
    }
    default:
      return fail(`unknown frame type ${summarize(type)}`);
  }
}

function checkOperations(value: unknown, raw: unknown): Operation[] | ProtocolError {
  if (!Array.isArray(value)) return new ProtocolError("operations is not an array", raw);
  const index = value.findIndex((op) => !isObject(op) || typeof op.operation !== "string");
  if (index >= 0) return new ProtocolError(`operation ${index} has no string "operation"`, raw);
  return value as Operation[];
}

function checkAck(courier: Json, raw: unknown): CourierAck | ProtocolError {
  const { ack, id, clientId, seq, error, operations, expected, replay, pruned } = courier;
  const fail = (why: string) => new ProtocolError(`courier ack: ${why}`, raw);
  if (!ACK_KINDS.includes(ack as AckKind)) return fail(`unknown ack ${summarize(ack)}`);
  if (typeof id !== "string") return fail("id is not a string");
  if (typeof clientId !== "string") return fail("clientId is not a string");
  if (!isPositiveInteger(seq)) return fail("seq is not a positive integer");
  if (error !== undefined && typeof error !== "string") return fail("error is not a string");
  const result: CourierAck = { v: 1, ack: ack as AckKind, id, clientId, seq };
  if (error !== undefined) result.error = error;
  if (operations !== undefined) {
    const checked = checkOperations(operations, raw);
    if (checked instanceof ProtocolError) return checked;
    result.operations = checked;
  }
  if (ack === "gap" || expected !== undefined) {
    if (!isPositiveInteger(expected)) return fail("expected is not a positive integer");
    result.expected = expected;
  }
  // Flags are read leniently: only `true` counts, anything else is the same as absent.
  if (replay === true) result.replay = true;
  if (pruned === true) result.pruned = true;
  return result;
}

/** Entries one batch may carry, and seqs one `received` run may cover: far above a window's worth. */
export const MAX_BATCH = 4096;

/** A `received` entry covering seq..through, one id per seq: expanded into the per-seq acks it stands for. */
function expandRun(entry: Json, raw: unknown): CourierAck[] | ProtocolError {
  const { ack, clientId, seq, through, ids } = entry;
  const fail = (why: string) => new ProtocolError(`courier batch: ${why}`, raw);
  if (ack !== "received") return fail("only received may carry through");
  if (typeof clientId !== "string") return fail("clientId is not a string");
  if (!isPositiveInteger(seq) || !isPositiveInteger(through) || through < seq) return fail("through is not a seq at or after seq");
  if (!Array.isArray(ids) || ids.length !== through - seq + 1 || ids.length > MAX_BATCH) return fail("ids do not match seq..through");
  if (!ids.every((id) => typeof id === "string")) return fail("an id is not a string");
  return (ids as string[]).map((id, i) => ({ v: 1, ack: "received", id, clientId, seq: seq + i }));
}

/** A batch: every entry must be valid, or the whole batch is refused (its acks are then as good as lost). */
function checkBatch(batch: unknown, raw: unknown): CourierAck[] | ProtocolError {
  if (!Array.isArray(batch) || batch.length === 0 || batch.length > MAX_BATCH)
    return new ProtocolError(`courier batch: not a list of 1 to ${MAX_BATCH} acks`, raw);
  const acks: CourierAck[] = [];
  for (const entry of batch) {
    if (!isObject(entry)) return new ProtocolError("courier batch: an entry is not an object", raw);
    const checked = "through" in entry ? expandRun(entry, raw) : checkAck(entry, raw);
    if (checked instanceof ProtocolError) return checked;
    if (Array.isArray(checked)) acks.push(...checked);
    else acks.push(checked);
    if (acks.length > MAX_BATCH) return new ProtocolError(`courier batch: more than ${MAX_BATCH} acks`, raw);
  }
  return acks;
}

/** A count as an honest server may write it: 3, or "3" (a Rails hash of strings); anything else is unknown. */
function readCount(value: unknown): number | undefined {
  if (isCount(value)) return value;
  if (typeof value === "string" && /^\d{1,15}$/.test(value)) return Number(value);
  return undefined;
}

/**
 * Lenient on purpose (PROTOCOL.md §3): a hello says the extension is spoken on this connection, and
 * refusing it would run the connection in plain mode and fail its in-flight reflexes as `uncertain` on
 * the next drop, for a fault of our parsing. So what can be read is read: an unusable `committed`
 * entry (null, "x") counts as unknown (0), an unusable `identity` (null for a guest, "", a number) as
 * none. Never an error.
 */
function checkHello(courier: Json): CourierHello {
  const hello: CourierHello = { v: 1, hello: true, committed: {} };
  const { committed, identity } = courier;
  if (isObject(committed)) {
    for (const [clientId, value] of Object.entries(committed)) {
      const count = readCount(value);
      if (count !== undefined) hello.committed[clientId] = count;
    }
  }
  if (typeof identity === "string" && identity !== "" && identity.length <= 512) hello.identity = identity;
  return hello;
}

/**
 * Sorts one channel message on our identifier into an ack, a hello or CableReady operations; anything else
 * is a ProtocolError (PROTOCOL.md §1: reported and dropped), since nothing else is sent on this channel.
 */
export function classifyMessage(data: unknown): InboundMessage | ProtocolError {
  if (!isObject(data)) return new ProtocolError(`channel message is not an object: ${summarize(data)}`, data);
  if ("courier" in data) {
    const { courier } = data;
    if (!isObject(courier)) return new ProtocolError("courier is not an object", data);
    // `"1"` is version 1 written by a server that stringifies its numbers.
    if (courier.v !== 1 && courier.v !== "1")
      return new ProtocolError(`unsupported courier version ${summarize(courier.v)}`, data);
    if (courier.hello === true) return { kind: "hello", hello: checkHello(courier) };
    if ("batch" in courier) {
      const acks = checkBatch(courier.batch, data);
      return acks instanceof ProtocolError ? acks : { kind: "batch", acks };
    }
    if ("ack" in courier) {
      const ack = checkAck(courier, data);
      return ack instanceof ProtocolError ? ack : { kind: "ack", ack };
    }
    return new ProtocolError("courier message is neither an ack nor a hello", data);
  }
  if (data.cableReady === true) {
    const operations = checkOperations(data.operations, data);
    if (operations instanceof ProtocolError) return operations;
    const envelope: CableReadyEnvelope = { cableReady: true, operations };
    if (typeof data.version === "string") envelope.version = data.version;
    return { kind: "operations", envelope };
  }
  return new ProtocolError(`channel message of unknown shape: ${summarize(data)}`, data);
}

// The extension's keys come right after the channel, as in docs/PROTOCOL.md; app params follow, sorted.
const LEADING_KEYS = ["channel", "courier", "clientId", "courierAcks"];

/** The params in a stable key order; ActionCable's identifier is JSON.stringify of exactly this object. */
export function orderedParams(params: ChannelParams): ChannelParams {
  const ordered: Record<string, unknown> = {};
  for (const key of LEADING_KEYS) if (key in params) ordered[key] = params[key];
  for (const key of Object.keys(params).sort()) if (!LEADING_KEYS.includes(key)) ordered[key] = params[key];
  return ordered as ChannelParams;
}

/** The subscription identifier for these params: the same string for the same params, whatever their order. */
export function identifierFor(params: ChannelParams): string {
  return JSON.stringify(orderedParams(params));
}
