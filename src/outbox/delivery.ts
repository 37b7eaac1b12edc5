// Sending: per clientId lane, in seq order, at most `window` in flight, only while subscribed; resend on
// the ack and commit timeouts; what a dropped socket means for what was in flight, per mode; and the
// last word before a queued record goes out (`admit`, PROTOCOL.md §5).
import { guarded } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { CourierHello } from "../protocol/types.js";
import { Timer } from "../core/timer.js";
import type { OutboxHooks, OutboxOptions } from "./hooks.js";
import { oldestElsewhere } from "./journal.js";
import type { Lane } from "./lane.js";
import { EXPIRED, type Ledger } from "./ledger.js";
import { inFlight, mayHaveRun, needsMark, outbound, type Entry } from "./record.js";

export type DeliveryOptions = Required<Pick<OutboxOptions, "window" | "plainWindow" | "answerTimeout" | "ackTimeout" | "commitTimeout" | "maxAge">>;

/** How soon (ms) a record held back by another page's journal entry looks again. */
export const JOURNAL_RECHECK = 50;

/** `send` it; `skip` it (it left the outbox); `stop` the lane here (nothing after it may overtake it). */
export type Verdict = "send" | "skip" | "stop";

export class Delivery {
  helloIdentity: string | undefined;
  private _link = false;
  private _helloSeen = false;
  /** `unknown` between connections: nothing is decided that depends on the next server's kind. */
  private _mode: "unknown" | "extension" | "plain" = "unknown";
  /** The oldest click still in another page's journal (see `olderElsewhere`), as of the last pump. */
  private _journaledBefore = Infinity;
  /** While a record waits for another page's journal, look again after JOURNAL_RECHECK. */
  private readonly _journalRecheck = new Timer(() => this.pump());

  constructor(
    private readonly _ledger: Ledger,
    private readonly _options: DeliveryOptions,
    private readonly _hooks: OutboxHooks,
    private readonly _logger: Logger,
  ) {}

  get extension(): boolean {
    return this._mode === "extension";
  }

  /** Subscribed: what is sent now goes out at once. */
  get linked(): boolean {
    return this._link;
  }

  hello(hello: CourierHello): void {
    this._helloSeen = true;
    this.helloIdentity = hello.identity;
  }

  /**
   * A well-formed ack arrived: whatever its hello looked like, this connection speaks the extension, and
   * nothing in flight may be failed as `uncertain` on the next drop (issue 10 item 2).
   */
  ackSeen(): void {
    this._helloSeen = true;
    if (this._link && this._mode !== "extension") {
      this._mode = "extension";
      this._logger.log("debug", "outbox: acks on a connection without a hello; extension mode");
    }
  }

  subscribed(): void {
    // A new subscription without a drop in between: the old one's answers may never come.
    if (this._link) this._dropInFlight();
    this._link = true;
    this._mode = this._helloSeen ? "extension" : "plain";
    this._logger.log("debug", `outbox: subscribed in ${this._mode} mode`);
    this.pump();
  }

  /** Every socket loss, confirmed or not: forget this connection's hello and mode. */
  unsubscribed(): void {
    if (this._link) this._dropInFlight();
    this._link = false;
    this._helloSeen = false;
    this.helloIdentity = undefined;
    this._mode = "unknown";
  }

  /** Stops sending for good (page going away); nothing is requeued or failed. */
  stop(): void {
    this._link = false;
    this._journalRecheck.cancel();
  }

  pump(): void {
    if (!this._link) return;
    this._journaledBefore = this._ledger.persistence.durable ? oldestElsewhere(this._ledger.lanes, this._ledger.identity) : Infinity;
    for (const lane of [...this._ledger.lanes.values()]) this._pumpLane(lane);
  }

  /** Marks this lane's in-flight records from `seq` on as unsent and sends them again in order. */
  requeueFrom(lane: Lane, seq: number): void {
    for (const entry of lane.entries) {
      if (entry.record.seq < seq || !inFlight(entry.state)) continue;
      entry.resend.cancel();
      this._ledger.step(entry, { type: "requeued" });
    }
    this.pump();
  }

  /** Stage 1: no more resends on the ack timer; one on the commit timer if stage 2 never comes. */
  received(entry: Entry): void {
    entry.resend.cancel();
    // Even before the confirmation: the commit timer is what brings it back if stage 2 never comes.
    if (this._mode !== "plain") entry.resend.schedule(this._options.commitTimeout);
    this._ledger.step(entry, { type: "received" });
  }

  /**
   * The ack or commit timer of a record ran out: send it again (the server deduplicates). In plain mode
   * it is the answer timer: a plain server is silent for an unknown target, and may or may not have run it.
   */
  resendDue(entry: Entry): void {
    if (!this._ledger.has(entry) || !inFlight(entry.state)) return;
    if (this._link && this._mode === "plain") {
      this._ledger.fail(entry, "uncertain", `no answer within ${this._options.answerTimeout} ms; it may or may not have run`);
      this.pump();
      return;
    }
    if (!this._link || !this.extension) return;
    this._logger.log("debug", `outbox: no ${entry.state.kind === "sent" ? "ack" : "commit"} for ${entry.record.id}; sending it again`);
    guarded(this._logger, "send hook", () => this._hooks.send(outbound(entry)));
    entry.resend.schedule(entry.state.kind === "sent" ? this._options.ackTimeout : this._options.commitTimeout);
  }

  private _dropInFlight(): void {
    for (const lane of this._ledger.lanes.values()) lane.gapExpected = undefined;
    for (const lane of [...this._ledger.lanes.values()]) {
      for (const entry of [...lane.entries]) {
        if (!inFlight(entry.state)) continue;
        entry.resend.cancel();
        if (this.extension || entry.record.retry === "safe") this._ledger.step(entry, { type: "requeued" });
        else this._ledger.fail(entry, "uncertain", "the connection dropped after it was sent; it may or may not have run");
      }
    }
  }

  private _pumpLane(lane: Lane): void {
    if (lane.moving) return;
    // A plain server runs one connection's messages on a pool of threads: only one at a time (by
    // default) keeps them in click order.
    const window = this.extension ? this._options.window : this._options.plainWindow;
    let room = window - lane.entries.filter((entry) => inFlight(entry.state)).length;
    // Marks run up to a window ahead of the sends, so their IndexedDB write overlaps the round trips of
    // the records in flight instead of holding every freed slot until a write lands.
    const ahead: Entry[] = [];
    for (const entry of [...lane.entries]) {
      if (entry.state.kind === "storing") break; // nothing overtakes a record not yet durable
      if (entry.state.kind !== "queued") continue;
      if (this._olderElsewhere(lane, entry)) break; // click order across lanes (a reload's adopted lane first)
      if (room > 0 && ahead.length === 0) {
        const verdict = this._admit(entry);
        if (verdict === "stop") break;
        if (verdict === "skip") continue;
        if (!needsMark(entry.state)) {
          if (!this._transmit(entry)) return;
          room--;
          continue;
        }
      }
      if (needsMark(entry.state)) ahead.push(entry);
      if (ahead.length >= window) break;
    }
    if (ahead.length && !lane.marking) lane.mark(ahead);
  }

  /**
   * Every page load has its own clientId, so one tab's clicks can sit in several lanes (the adopted lane
   * of the page before a reload, and this page's), and the server orders seqs within a lane only. So a
   * record waits until every older one of another lane has left (except one withheld for another user,
   * which may wait for good), and while a page that is unloading still journals an older click.
   */
  private _olderElsewhere(lane: Lane, entry: Entry): boolean {
    const { createdAt } = entry.record;
    if (this._journaledBefore < createdAt) {
      if (!this._journalRecheck.pending) this._journalRecheck.schedule(JOURNAL_RECHECK);
      return true;
    }
    for (const other of this._ledger.lanes.values()) {
      if (other === lane) continue;
      for (const older of other.entries) {
        if (older.record.createdAt >= createdAt) break; // a lane is in seq order, which is acceptance order
        const { helloIdentity } = older.record;
        const withheld = helloIdentity !== undefined && this.helloIdentity !== undefined && helloIdentity !== this.helloIdentity;
        if (!withheld && older.state.void !== "reported") return true;
      }
    }
    return false;
  }

  /**
   * Another user's record waits; an expired one goes as a tombstone or fails; and a plain server never
   * gets a record that may already have run unless it is retry-safe.
   */
  private _admit(entry: Entry): Verdict {
    const { record, state } = entry;
    const ledger = this._ledger;
    // Queued while another user's connection was seen: never sent on this one; it waits for its user.
    if (record.helloIdentity !== undefined && this.helloIdentity !== undefined && record.helloIdentity !== this.helloIdentity)
      return "stop";
    const uncertain = (why: string): Verdict => (ledger.fail(entry, "uncertain", why), "skip");
    const expiredRan = `${EXPIRED}, after it may have been sent; it may or may not have run`;

    if (!state.void && Date.now() - record.createdAt > this._options.maxAge) {
      // A plain server cannot be asked whether one that may have run did.
      if (mayHaveRun(state) && !this.extension) return uncertain(expiredRan);
      ledger.expire(entry);
    }
    if (this.extension) return "send";

    // A plain server knows no seqs (no tombstone needed) and cannot tell whether a reflex ran.
    if (entry.state.void === "reported") {
      ledger.drop(entry);
      return "skip";
    }
    if (entry.state.void === "asking") return uncertain(expiredRan);
    if (record.retry === "safe") return "send";
    if (mayHaveRun(entry.state)) return uncertain("it was sent before and never answered; it may or may not have run");
    if (entry.state.mark === "failed") return uncertain("its attempted mark could not be stored, so a reload could send it twice");
    return "send";
  }

  private _transmit(entry: Entry): boolean {
    if (guarded(this._logger, "send hook", () => this._hooks.send(outbound(entry))) !== true) return false;
    this._ledger.step(entry, { type: "sent", under: entry.record.clientId });
    entry.resend.schedule(this.extension ? this._options.ackTimeout : this._options.answerTimeout);
    return true;
  }
}
