// Sending: per clientId lane, in seq order, at most `window` in flight, only while subscribed; resend
// on ack timeout; and what a dropped socket means for what was in flight, per mode (PROTOCOL.md §5).
import { guarded } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { CourierHello } from "../protocol/types.js";
import type { OutboundReflex, OutboxHooks } from "./hooks.js";
import type { Entry, Lane } from "./entry.js";
import type { Ledger } from "./ledger.js";
import type { Persistence } from "./persistence.js";

export interface DeliveryOptions {
  window: number;
  ackTimeout: number;
  maxAge: number;
}

const inFlight = (entry: Entry) => entry.stage === "sent" || entry.stage === "received";

function outbound(entry: Entry): OutboundReflex {
  const { id, target, clientId, seq } = entry.record;
  return entry.tombstone ? { id, target, courier: { v: 1, clientId, seq, void: true } } : entry.record.payload;
}

export class Delivery {
  /** The committed map of this connection's hello (kept for diagnostics; records it covers are still sent). */
  committed: Record<string, number> = {};
  private link = false;
  private helloSeen = false;
  private mode: "extension" | "plain" = "plain";

  constructor(
    private readonly ledger: Ledger,
    private readonly options: DeliveryOptions,
    private readonly hooks: OutboxHooks,
    private readonly persistence: Persistence,
    private readonly logger: Logger,
  ) {}

  get extension(): boolean {
    return this.mode === "extension";
  }

  hello(hello: CourierHello): void {
    this.helloSeen = true;
    this.committed = hello.committed;
  }

  subscribed(): void {
    const again = this.link;
    this.link = true;
    this.mode = this.helloSeen ? "extension" : "plain";
    this.logger.log("debug", `outbox: subscribed in ${this.mode} mode`);
    // A new subscription without a drop in between: acks of the old one may be lost; only the extension can resend safely.
    if (again && this.extension) this.forEachInFlight((entry) => this.ledger.emit(entry, "queued"));
    this.pump();
  }

  unsubscribed(): void {
    this.helloSeen = false;
    if (!this.link) return;
    this.link = false;
    for (const lane of this.ledger.lanes.values()) lane.gapExpected = undefined;
    this.forEachInFlight((entry) => {
      if (this.extension || entry.record.retry === "safe") this.ledger.emit(entry, "queued");
      else this.ledger.fail(entry, "uncertain", "the connection dropped after it was sent; it may or may not have run");
    });
  }

  /** Stops sending for good (page going away); nothing is requeued or failed. */
  stop(): void {
    this.link = false;
  }

  pump(): void {
    if (!this.link) return;
    for (const lane of [...this.ledger.lanes.values()]) this.pumpLane(lane);
  }

  /** Marks this lane's in-flight records from `seq` on as unsent and sends them again in order. */
  requeueFrom(lane: Lane, seq: number): void {
    for (const entry of lane.entries) {
      if (entry.record.seq < seq || !inFlight(entry)) continue;
      entry.resend.cancel();
      this.ledger.emit(entry, "queued");
    }
    this.pump();
  }

  /** The ack timer of a sent record ran out without a `received`. */
  resendDue(entry: Entry): void {
    if (!this.link || !this.extension || entry.stage !== "sent" || !this.ledger.has(entry)) return;
    this.logger.log("debug", `outbox: no ack for ${entry.record.id}; sending it again`);
    guarded(this.logger, "send hook", () => this.hooks.send(outbound(entry)));
    entry.resend.schedule(this.options.ackTimeout);
  }

  private pumpLane(lane: Lane): void {
    if (lane.marking || lane.moving) return;
    const room = this.options.window - lane.entries.filter(inFlight).length;
    const batch: Entry[] = [];
    for (const entry of [...lane.entries]) {
      if (batch.length >= room || entry.writing > 0) break; // nothing overtakes a record not yet durable
      if (entry.stage === "queued" && this.admit(entry)) batch.push(entry);
    }
    if (!this.extension && this.markAttempts(lane, batch)) return;
    for (const entry of batch) if (!this.transmit(entry)) return;
  }

  /** Decides a queued record's fate just before sending; false when it leaves instead. */
  private admit(entry: Entry): boolean {
    if (!entry.tombstone && Date.now() - entry.record.createdAt > this.options.maxAge) this.ledger.expire(entry);
    if (this.extension) return true;
    // A plain server knows no seqs, so an expired record needs no tombstone there.
    if (entry.tombstone) {
      this.ledger.drop(entry);
      return false;
    }
    if (entry.record.attempted && !entry.markedHere && entry.record.retry !== "safe") {
      this.ledger.fail(entry, "uncertain", "sent before the page reloaded; it may or may not have run");
      return false;
    }
    return true;
  }

  /**
   * Plain mode has no dedup on the server, so before a retry-unsafe record first goes out we note
   * durably that it may run: after a reload it is then `uncertain`, never silently run twice.
   */
  private markAttempts(lane: Lane, batch: Entry[]): boolean {
    const unmarked = batch.filter((entry) => entry.record.retry !== "safe" && !entry.record.attempted);
    if (!unmarked.length) return false;
    lane.marking = true;
    const records = unmarked.map((entry) => ({ ...entry.record, attempted: true as const }));
    this.persistence
      .commit({ put: records })
      .then(
        () =>
          unmarked.forEach((entry, i) => {
            if (this.ledger.has(entry)) Object.assign(entry, { record: records[i], markedHere: true });
          }),
        (error) => unmarked.forEach((entry) => this.ledger.fail(entry, "storage", `could not store: ${String(error)}`)),
      )
      .finally(() => {
        lane.marking = false;
        this.pump();
      });
    return true;
  }

  private transmit(entry: Entry): boolean {
    if (guarded(this.logger, "send hook", () => this.hooks.send(outbound(entry))) !== true) return false;
    if (this.extension) entry.resend.schedule(this.options.ackTimeout);
    this.ledger.emit(entry, "sent");
    return true;
  }

  private forEachInFlight(fn: (entry: Entry) => void): void {
    for (const lane of [...this.ledger.lanes.values()]) {
      for (const entry of [...lane.entries]) {
        if (!inFlight(entry)) continue;
        entry.resend.cancel();
        fn(entry);
      }
    }
  }
}
