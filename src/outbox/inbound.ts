// What the server says about our reflexes: acks and hello (extension), or, against a plain
// StimulusReflex server, the operations that carry a reflex's id (its commit). A hello also names
// whose connection it is: one naming another user than the one our client last saw starts a fresh
// client, so that user's reflexes never queue behind the other user's (which wait for their user).
import { guarded } from "../core/events.js";
import type { CableReadyEnvelope, CourierAck, CourierHello, InboundMessage, Operation } from "../protocol/types.js";
import type { Context } from "./context.js";
import { EXPIRED } from "./ledger.js";
import { inFlight, mayHaveRun, type Entry } from "./record.js";
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

function onAck(ack: CourierAck, ctx: Context): void {
  const { ledger, delivery, hooks, logger } = ctx;
  const entry = ledger.entry(ack.id);
  if (!entry || entry.record.clientId !== ack.clientId || entry.record.seq !== ack.seq) {
    logger.log("debug", `outbox: ${ack.ack} ack for a reflex we do not hold (${ack.clientId}#${ack.seq})`, ack);
    return;
  }
  delivery.ackSeen();
  switch (ack.ack) {
    case "received":
      // Only what this connection sent: a record still queued stays queued and goes out in its turn
      // (issue 10 item 4), rather than waiting in flight for a commit timer without ever being sent.
      if (entry.state.kind === "sent") delivery.received(entry);
      return;
    case "committed": {
      if (entry.state.void === "reported") {
        ledger.drop(entry);
        break;
      }
      const operations = ack.operations ?? [];
      // Convergence (PROTOCOL.md §5): a fresh run happened after this page loaded, so its operations are
      // news to this page if they were made for its URL, whichever page made the reflex. A stored result
      // may be older than what the page shows, a pruned one has nothing to apply: the app hears `stale`.
      const reason = ack.pruned ? "pruned" : ack.replay ? "replay" : ctx.forThisUrl(entry) ? undefined : "url";
      // Applied before the promise resolves, so `await` sees the page already updated.
      if (reason === undefined) {
        if (operations.length) guarded(logger, "apply hook", () => hooks.apply(operations));
      } else if (operations.length || reason === "pruned") ctx.stale(entry, reason);
      ledger.commit(entry, operations);
      break;
    }
    case "failed":
      if (entry.state.void === "reported") ledger.drop(entry);
      else if (entry.state.void === "asking" && ack.error === "expired") ledger.fail(entry, "expired", EXPIRED);
      else ledger.fail(entry, "failed", ack.error ?? "the server could not run it");
      break;
    case "gap":
      return onGap(entry, ack.expected, ctx);
    case "conflict":
      return onConflict(entry, ctx);
  }
  delivery.pump();
}

function onHello(hello: CourierHello, ctx: Context): void {
  const { ledger, delivery, logger } = ctx;
  delivery.hello(hello);
  const own = ledger.own;
  if (!own) return;
  const { identity } = hello;
  if (!ledger.helloSeenHere && identity !== undefined) {
    // This page's first hello names whose page it is: what was clicked on it before is that user's.
    // (In memory only: after a reload before it is sent, the next page's first hello binds it again.)
    for (const entry of ledger.unbound) if (ledger.has(entry)) entry.record = { ...entry.record, helloIdentity: identity };
    pruneForeignOnHello(ctx, identity);
  }
  ledger.helloSeenHere = true;
  ledger.unbound.clear();
  if (identity !== undefined && identity !== ledger.helloIdentity) {
    const previous = ledger.helloIdentity;
    ledger.helloIdentity = identity; // new records are stamped with it from now on
    if (previous !== undefined) {
      // Records queued since the switch move along; the earlier user's stay behind and wait.
      const pick = (entry: Entry) => entry.record.helloIdentity === identity;
      void relocate(own, { pick, renew: true, why: "the connection is another user's" }, ctx);
      return;
    }
    own.write({}).catch((error) => logger.log("warn", "outbox: could not store the hello identity", error));
  }
  // The server has seqs of ours we never handed out: our counter went back (storage restored or
  // rolled back). New reflexes under this clientId would be taken for duplicates and never run.
  if ((hello.committed[own.clientId] ?? 0) >= own.nextSeq) {
    logger.log("warn", `outbox: server is ahead of client ${own.clientId}; continuing under a fresh clientId`);
    const from = own.nextSeq;
    void relocate(own, { pick: (entry) => entry.record.seq >= from, renew: true, why: "the server is ahead of our seqs" }, ctx);
  }
}

/** The first hello names this page's user: another user's reflexes older than maxAge go, unsent and unreported. */
function pruneForeignOnHello(ctx: Context, helloIdentity: string): void {
  const { ledger, maxAge } = ctx;
  const now = Date.now();
  for (const lane of [...ledger.lanes.values()]) {
    for (const entry of [...lane.entries]) {
      const { helloIdentity: stamped, createdAt } = entry.record;
      if (stamped !== undefined && stamped !== helloIdentity && now - createdAt > maxAge && !mayHaveRun(entry.state)) ledger.drop(entry);
    }
  }
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
    void relocate(lane, { pick: (other) => other.record.seq >= expected, why: `the server lost seqs of ${lane.clientId}` }, ctx);
    return;
  }
  // A window's worth of out-of-order sends brings a burst of gap acks: the first one resends them all.
  if (lane.gapExpected === expected && first.state.kind !== "queued") return;
  lane.gapExpected = expected;
  delivery.requeueFrom(lane, expected);
}

/**
 * Another tab sharing our clientId (no Web Locks) used this seq: nothing ran for this reflex. It moves,
 * with the later ones never sent under this clientId; later ones already sent get answers of their own.
 */
function onConflict(entry: Entry, ctx: Context): void {
  const lane = ctx.ledger.lanes.get(entry.record.clientId);
  if (!lane) return;
  const { seq } = entry.record;
  entry.resend.cancel();
  ctx.ledger.step(entry, { type: "requeued" });
  const pick = (other: Entry) =>
    other === entry || (other.record.seq > seq && other.state.kind === "queued" && other.state.sentUnder !== lane.clientId);
  void relocate(lane, { pick, why: `another tab used seq ${seq} of ${lane.clientId}` }, ctx);
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
    if (!entry || !inFlight(entry.state)) continue;
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
