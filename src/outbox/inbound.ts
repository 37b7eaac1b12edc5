// What the server says about our reflexes: acks and hello (extension), or, against a plain
// StimulusReflex server, the operations that carry a reflex's id (its commit).
import { guarded } from "../core/events.js";
import type { CableReadyEnvelope, CourierAck, CourierHello, InboundMessage, Operation } from "../protocol/types.js";
import type { Context } from "./context.js";
import type { Entry } from "./entry.js";
import { relocate } from "./relocate.js";

const MORPH_ERROR = "stimulus-reflex:morph-error";

export function receive(message: InboundMessage, ctx: Context): void {
  switch (message.kind) {
    case "ack":
      return onAck(message.ack, ctx);
    case "hello":
      return onHello(message.hello, ctx);
    case "operations":
      return onOperations(message.envelope, ctx);
    default:
      return;
  }
}

function onHello(hello: CourierHello, ctx: Context): void {
  const { ledger, delivery, logger } = ctx;
  const { committed } = hello;
  delivery.hello(hello);
  const own = ledger.own;
  // The server has seqs of ours we never handed out: our counter went back (storage restored or
  // rolled back). New reflexes under this clientId would be taken for duplicates and never run.
  if (own && (committed[own.clientId] ?? 0) >= ledger.nextSeq) {
    logger.log("warn", `outbox: server is ahead of client ${own.clientId}; continuing under a fresh clientId`);
    void relocate(own, ledger.nextSeq, ctx);
  }
}

function onAck(ack: CourierAck, ctx: Context): void {
  const { ledger, delivery, hooks, logger } = ctx;
  const entry = ledger.entry(ack.id);
  if (!entry || entry.record.clientId !== ack.clientId || entry.record.seq !== ack.seq) {
    logger.log("debug", `outbox: ${ack.ack} ack for a reflex we do not hold (${ack.clientId}#${ack.seq})`, ack);
    return;
  }
  switch (ack.ack) {
    case "received":
      if (entry.stage === "sent" || entry.stage === "queued") {
        entry.resend.cancel();
        ledger.emit(entry, "received");
      }
      return;
    case "committed": {
      const operations = ack.operations ?? [];
      // Applied before the promise resolves, so `await` sees the page already updated.
      if (operations.length) guarded(logger, "apply hook", () => hooks.apply(operations));
      if (entry.tombstone) ledger.drop(entry);
      else ledger.commit(entry, operations);
      break;
    }
    case "failed":
      if (entry.tombstone) ledger.drop(entry);
      else ledger.fail(entry, "failed", ack.error ?? "the server could not run it");
      break;
    case "gap":
      return onGap(entry, ack.expected, ctx);
  }
  delivery.pump();
}

function onGap(entry: Entry, expected: number | undefined, ctx: Context): void {
  const { ledger, delivery, logger } = ctx;
  const lane = ledger.lanes.get(entry.record.clientId);
  if (!lane || expected === undefined || expected > entry.record.seq) {
    logger.log("debug", "outbox: ignoring a gap ack that does not fit its record", { expected, seq: entry.record.seq });
    return;
  }
  const first = lane.entries.find((other) => other.record.seq === expected);
  if (!first) {
    void relocate(lane, expected, ctx);
    return;
  }
  // A window's worth of out-of-order sends brings a burst of gap acks: the first one resends them all.
  if (lane.gapExpected === expected && first.stage !== "queued") return;
  lane.gapExpected = expected;
  delivery.requeueFrom(lane, expected);
}

function onOperations(envelope: CableReadyEnvelope, ctx: Context): void {
  const { ledger, delivery } = ctx;
  if (delivery.extension) return; // the acks speak for our reflexes; the courier applies envelopes itself
  const byReflex = new Map<string, Operation[]>();
  for (const op of envelope.operations) {
    if (typeof op.reflexId === "string") byReflex.set(op.reflexId, [...(byReflex.get(op.reflexId) ?? []), op]);
  }
  for (const [id, operations] of byReflex) {
    const entry = ledger.entry(id);
    if (!entry || (entry.stage !== "sent" && entry.stage !== "received")) continue;
    const error = operations.find((op) => op.operation === "dispatchEvent" && op.name === MORPH_ERROR);
    if (error) ledger.fail(entry, "failed", errorText(error));
    else ledger.commit(entry, operations);
  }
  delivery.pump();
}

function errorText(op: Operation): string {
  const detail = op.detail as { error?: unknown } | undefined;
  const error = detail?.error ?? op.error;
  return typeof error === "string" && error ? error : "the reflex raised on the server";
}
