// The durable outbox: every reflex is written to IndexedDB before it is sent and leaves only when the
// server says it is done. The courier hands it `send` and hooks; it never touches the DOM or the socket.
import { guarded } from "../core/events.js";
import { silentLogger } from "../core/logger.js";
import type { InboundMessage, ReflexPayload } from "../protocol/types.js";
import { mintClient, mintId, rememberClient, resolveOwnClient } from "./client-id.js";
import type { Context } from "./context.js";
import { Delivery } from "./delivery.js";
import type { OutboxHooks, OutboxOptions } from "./hooks.js";
import { receive } from "./inbound.js";
import { Ledger } from "./ledger.js";
import { adoptOrphans, loadLane } from "./load.js";
import { Persistence } from "./persistence.js";
import { ReflexError, reflexPromise, type ReflexPromise, type Settle } from "./reflex-error.js";
import { sanitize } from "./payload.js";
import type { OutboxRecord } from "./store.js";

const DEFAULTS = { maxAge: 24 * 60 * 60 * 1000, maxQueue: 1000, ackTimeout: 10_000, window: 32, storage: "indexeddb" } as const;

export class Outbox {
  /** Resolves once this tab's clientId is settled and stored reflexes are loaded; never rejects. */
  readonly ready: Promise<void>;
  private readonly options: Required<Omit<OutboxOptions, "logger">>;
  private readonly ctx: Context;
  private loaded = false;
  private closed = false;
  private adopting: Promise<void> | undefined;

  /** Opens storage in the background and never throws; `enqueue` may be called at once. */
  static open(options: OutboxOptions, hooks: OutboxHooks): Outbox {
    return new Outbox(options, hooks);
  }

  private constructor(options: OutboxOptions, hooks: OutboxHooks) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    this.options = { ...DEFAULTS, ...defined } as Outbox["options"];
    const logger = options.logger ?? silentLogger;
    const identity = this.options.identity;
    const persistence = new Persistence(logger, (error) => {
      // Seqs handed out in memory are unknown to IndexedDB: a reload must not reuse this clientId.
      rememberClient(identity, undefined);
      guarded(logger, "storageDegraded hook", () => hooks.storageDegraded(error));
    });
    const ledger = new Ledger(hooks, logger, persistence, (entry) => delivery.resendDue(entry));
    const delivery = new Delivery(ledger, this.options, hooks, persistence, logger);
    this.ctx = { identity, maxAge: this.options.maxAge, hooks, logger, persistence, ledger, delivery, closed: () => this.closed };
    this.ready = this.load();
  }

  /** This tab's clientId; "" until `ready`. It may change later if the server lost our seqs. */
  get clientId(): string {
    return this.ctx.ledger.own?.clientId ?? "";
  }

  /** False in memory mode (chosen, or after IndexedDB failed); settled once `ready` resolves. */
  get durable(): boolean {
    return this.ctx.persistence.durable;
  }

  get pending(): number {
    return this.ctx.ledger.pending;
  }

  enqueue(payload: ReflexPayload, meta?: { retry?: "safe" | "unsafe" }): ReflexPromise {
    const id = typeof payload?.id === "string" && payload.id !== "" ? payload.id : mintId();
    const target = typeof payload?.target === "string" ? payload.target : "";
    const { promise, settle } = reflexPromise(id);
    const retry = meta?.retry === "safe" ? "safe" : "unsafe";
    let clean: ReflexPayload;
    try {
      clean = sanitize(payload, id);
    } catch (error) {
      this.ctx.ledger.refuse(id, target, "failed", settle, `the payload cannot be stored: ${String(error)}`);
      return promise;
    }
    if (this.loaded) this.admit(clean, retry, settle);
    else void this.ready.then(() => this.admit(clean, retry, settle));
    return promise;
  }

  /** The transport confirmed the subscription: the mode is extension iff a hello came first. */
  subscribed(): void {
    if (this.closed) return;
    this.ctx.delivery.subscribed();
    if (this.loaded) void this.adopt();
  }

  unsubscribed(): void {
    if (!this.closed) this.ctx.delivery.unsubscribed();
  }

  received(message: InboundMessage): void {
    if (this.closed) return;
    try {
      receive(message, this.ctx);
    } catch (error) {
      this.ctx.logger.log("error", "outbox: handling a server message failed", error);
    }
  }

  /** Lets go of timers and Web Locks, as a page unload would; pending promises stay unsettled. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.delivery.stop();
    this.ctx.ledger.close();
  }

  private admit(payload: ReflexPayload, retry: "safe" | "unsafe", settle: Settle): void {
    const { ledger, persistence, delivery, identity } = this.ctx;
    const { id, target } = payload;
    const lane = ledger.own;
    if (this.closed || !lane) return settle.reject(new ReflexError("storage", id, target, "the outbox is closed"));
    if (ledger.pending >= this.options.maxQueue)
      return ledger.refuse(id, target, "outbox-full", settle, `${ledger.pending} reflexes are already waiting`);
    if (ledger.entry(id)) return ledger.refuse(id, target, "failed", settle, "a reflex with this id is already waiting");

    const { clientId } = lane;
    const seq = ledger.nextSeq++;
    const record: OutboxRecord = { id, identity, clientId, seq, target, retry, createdAt: Date.now(),
      payload: { ...payload, courier: { v: 1, clientId, seq } } };
    const entry = ledger.createEntry(record, settle);
    entry.writing = 1;
    ledger.insert(entry);
    // Seq and record land in one transaction; the counter lives in memory because this tab owns it.
    persistence
      .commit({ put: [record], meta: { clientId, identity, nextSeq: seq + 1 } })
      .then(
        () => {
          entry.writing--;
          if (ledger.has(entry)) ledger.emit(entry, "queued");
        },
        (error) => {
          if (ledger.own === lane && ledger.nextSeq === seq + 1) ledger.nextSeq = seq; // no hole when it was the last
          ledger.fail(entry, "storage", `storage is full: ${String(error)}`);
        },
      )
      .finally(() => delivery.pump());
  }

  private async load(): Promise<void> {
    const { ledger, persistence, identity, logger, delivery } = this.ctx;
    try {
      await persistence.open(this.options.storage);
      const own = await resolveOwnClient(identity, persistence);
      const lane = ledger.addLane(own.clientId, own.lock, true);
      ledger.nextSeq = own.nextSeq;
      await loadLane(lane, this.ctx);
      ledger.nextSeq = Math.max(ledger.nextSeq, (lane.entries[lane.entries.length - 1]?.record.seq ?? 0) + 1);
      await this.adopt();
    } catch (error) {
      logger.log("error", "outbox: loading failed; continuing with what loaded", error);
      if (!ledger.own) {
        const own = await mintClient(identity, false);
        ledger.addLane(own.clientId, own.lock, true);
      }
    }
    this.loaded = true;
    if (this.closed) ledger.close();
    ledger.countChanged();
    delivery.pump();
  }

  private adopt(): Promise<void> {
    this.adopting ??= adoptOrphans(this.ctx).finally(() => {
      this.adopting = undefined;
      this.ctx.delivery.pump();
    });
    return this.adopting;
  }
}
