// The durable outbox: every reflex is written to IndexedDB before it is sent and leaves only when the
// server says it is done. The courier hands it `send` and hooks; it never touches the DOM or the socket.
import { guarded } from "../core/events.js";
import { silentLogger } from "../core/logger.js";
import type { InboundMessage, ReflexPayload } from "../protocol/types.js";
import { Adoption, pruneOtherIdentities } from "./adoption.js";
import { Heartbeat, locksSupported, mintId, tryLock, type HeldLock } from "./claims.js";
import type { Context } from "./context.js";
import { Delivery } from "./delivery.js";
import type { OutboxHooks, OutboxOptions, StaleReason, StaleReflex } from "./hooks.js";
import { receive } from "./inbound.js";
import { journalRemove, journalWrite, sanitize } from "./journal.js";
import { Ledger } from "./ledger.js";
import type { Entry } from "./record.js";
import { reflexPromise, type ReflexPromise, type Settle } from "./reflex-error.js";
import { relocate } from "./relocate.js";
import { Persistence, type OutboxRecord } from "./storage.js";

const DEFAULTS = { maxAge: 24 * 60 * 60 * 1000, maxQueue: 1000, ackTimeout: 10_000, commitTimeout: 60_000, window: 32,
  plainWindow: 1, answerTimeout: 30_000,
  storage: "indexeddb" } as const;

type Resolved = Required<Omit<OutboxOptions, "logger" | "pageUrl">>;

const locationUrl = (): string | undefined => (typeof location === "undefined" ? undefined : location.href);

export class Outbox {
  /** Resolves once this tab's clientId is settled and stored reflexes are loaded; never rejects. */
  readonly ready: Promise<void>;
  private readonly _options: Resolved;
  private readonly _ctx: Context;
  private readonly _adoption: Adoption;
  /** Committed reflexes not applied to this page, reported together at the end of the task. */
  private _staleBatch: StaleReflex[] = [];
  /** Minted at once, so reflexes accepted before the load are journaled under it. */
  private readonly _firstClientId: string;
  private _degradedReported = false;
  private readonly _degraded: (error: unknown) => void;
  private _loaded = false;
  private _closed = false;

  /** Opens storage in the background and never throws; `enqueue` may be called at once. */
  static open(options: OutboxOptions, hooks: OutboxHooks): Outbox {
    return new Outbox(options, hooks);
  }

  private constructor(options: OutboxOptions, hooks: OutboxHooks) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    this._options = { ...DEFAULTS, ...defined } as Resolved;
    const pageUrl = options.pageUrl ?? locationUrl;
    const logger = options.logger ?? silentLogger;
    const identity = this._options.identity;
    // IndexedDB failing and a full localStorage journal both narrow durability: reported once.
    this._degraded = (error) => {
      if (this._degradedReported) return;
      this._degradedReported = true;
      guarded(logger, "storageDegraded hook", () => hooks.storageDegraded(error));
    };
    const persistence = new Persistence(logger, (error) => this._degraded(error));
    const ledger = new Ledger(identity, hooks, logger, persistence, (entry) => delivery.resendDue(entry), () => delivery.pump());
    const delivery = new Delivery(ledger, this._options, hooks, logger);
    const heartbeat = new Heartbeat(identity, persistence, logger, (lost) => {
      lost.forEach((clientId) => this._lose(clientId));
      void this._adoption.scan();
    });
    this._ctx = { identity, heartbeat, maxAge: this._options.maxAge, hooks, logger, persistence, ledger, delivery,
      closed: () => this._closed,
      forThisUrl: (entry) => {
        const url = guarded(logger, "pageUrl option", pageUrl);
        return url === undefined || entry.record.payload.url === url;
      },
      stale: (entry, reason) => this._reportStale(entry, reason, hooks),
      ownChanged: () => this._adoption.announce() };
    this._adoption = new Adoption(this._ctx);
    this._firstClientId = mintId(); // after the heartbeat's page id
    // Its Web Lock is asked for now, before the load: another page scanning journals must never take the
    // lane of a page that has journaled reflexes but is still opening IndexedDB.
    const early = locksSupported() ? tryLock(this._firstClientId) : undefined;
    this.ready = this._load(early);
  }

  /**
   * This tab's clientId; "" until `ready`. It changes when the server lost our seqs, another tab shared
   * it, or another user connected: read it again on every (re)subscription.
   */
  get clientId(): string {
    return this._ctx.ledger.own?.clientId ?? "";
  }

  /** False in memory mode (chosen, or after IndexedDB failed); settled once `ready` resolves. */
  get durable(): boolean {
    return this._ctx.persistence.durable;
  }

  get pending(): number {
    return this._ctx.ledger.pending;
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
      this._ctx.ledger.refuse(id, target, "failed", settle, `the payload cannot be stored: ${String(error)}`);
      return promise;
    }
    const createdAt = Date.now();
    // Synchronously, before any transaction exists: durable from the instant it is accepted.
    if (this._options.storage !== "memory") {
      const refused = journalWrite(this._ctx.ledger.own?.clientId ?? this._firstClientId, { identity: this._ctx.identity, payload: clean, retry, createdAt });
      if (refused !== undefined) this._degraded(refused);
    }
    const store = (settle: Settle) => this._file(clean, retry, settle, createdAt);
    if (this._loaded) store(settle);
    else {
      // Counted from the moment it is accepted (data-cable-pending), though it waits for the load.
      this._ctx.ledger.early++;
      this._ctx.ledger.countChanged();
      void this.ready.then(() => {
        this._ctx.ledger.early--;
        store(settle);
        this._ctx.ledger.countChanged(); // when it was refused instead of filed
      });
    }
    return promise;
  }

  /** The transport confirmed the subscription: the mode is extension iff a hello came first. */
  subscribed(): void {
    if (this._closed) return;
    this._ctx.delivery.subscribed();
    if (this._loaded) void this._adoption.scan();
  }

  /** Any socket loss, before or after the confirmation; harmless when not subscribed. */
  unsubscribed(): void {
    if (!this._closed) this._ctx.delivery.unsubscribed();
  }

  received(message: InboundMessage): void {
    if (this._closed) return;
    try {
      receive(message, this._ctx);
    } catch (error) {
      this._ctx.logger.log("error", "outbox: handling a server message failed", error);
    }
  }

  /** Writes what is batched (deletions of finished reflexes) now: the page may be going away. */
  flush(): void {
    void this._ctx.ledger.flushRemovals();
  }

  /** Lets go of timers and Web Locks, as a page unload would; pending promises stay unsettled. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    this._ctx.heartbeat.stop();
    this._adoption.close();
    this._ctx.delivery.stop();
    this._ctx.ledger.close();
  }

  /**
   * Files an accepted reflex in the own lane, which gives it its seq and one IndexedDB transaction with
   * the other reflexes of the same task (a transaction per click would queue behind each other, and a
   * reload would abort half-way); the journal covers the moment before it commits.
   */
  private _file(payload: ReflexPayload, retry: "safe" | "unsafe", settle: Settle, createdAt: number): void {
    const { ledger, persistence, delivery, identity } = this._ctx;
    const { id, target } = payload;
    const lane = ledger.own;
    const refuse = (reason: "storage" | "outbox-full" | "failed", why: string) => {
      journalRemove(id);
      ledger.refuse(id, target, reason, settle, why);
    };
    if (this._closed || !lane) return refuse("storage", "the outbox is closed");
    const { pending } = ledger;
    if (pending >= this._options.maxQueue) return refuse("outbox-full", `${pending} reflexes are already waiting`);
    if (ledger.entry(id)) return refuse("failed", "a reflex with this id is already waiting");
    // Linked: it goes out as soon as it is stored, so its `attempted` mark rides in the same write.
    const premark = delivery.linked && persistence.durable;
    const bound = ledger.helloSeenHere && ledger.helloIdentity !== undefined;
    const { clientId } = lane;
    const entry = lane.append((seq) => {
      const record: OutboxRecord = { id, identity, clientId, seq, target, retry, createdAt,
        payload: { ...payload, courier: { v: 1, clientId, seq } }, ...(premark && { attempted: true as const }),
        ...(bound && { helloIdentity: ledger.helloIdentity }) };
      return ledger.createEntry(record, { kind: "storing", writes: 1, mark: premark ? "here" : "unkept" }, settle);
    });
    if (!ledger.helloSeenHere) ledger.unbound.add(entry);
  }

  /**
   * Without Web Locks, another page found our beat stale and claimed this lane: it sends the lane's
   * reflexes now, so we stop (two pages never send under one clientId); our own lane starts afresh.
   */
  private _lose(clientId: string): void {
    const lane = this._ctx.ledger.lanes.get(clientId);
    if (!lane || this._closed) return;
    this._ctx.logger.log("warn", `outbox: another page claimed client ${clientId} (this page's heartbeat was late)`);
    // The own lane is forgotten only once a fresh one replaces it: new reflexes always have a lane.
    if (!lane.own) return this._ctx.ledger.abandon(lane);
    void relocate(lane, { pick: () => false, renew: true, why: "another page claimed our client" }, this._ctx).then(() => this._ctx.ledger.abandon(lane));
  }

  private _reportStale(entry: Entry, reason: StaleReason, hooks: OutboxHooks): void {
    const { id, target, clientId, seq, payload } = entry.record;
    if (!this._staleBatch.length) {
      queueMicrotask(() => {
        const reflexes = this._staleBatch;
        this._staleBatch = [];
        guarded(this._ctx.logger, "stale hook", () => hooks.stale(reflexes));
      });
    }
    this._staleBatch.push({ id, target, clientId, seq, url: typeof payload.url === "string" ? payload.url : "", reason });
  }

  private async _load(early: Promise<HeldLock | null> | undefined): Promise<void> {
    const { ledger, persistence, identity, logger, delivery } = this._ctx;
    try {
      await persistence.open(this._options.storage);
      // A fresh clientId every load: nothing is stored under it, and what earlier pages left is adopted.
      ledger.addLane(this._firstClientId, await (early ?? this._ctx.heartbeat.claim(this._firstClientId)), true);
      await pruneOtherIdentities(this._ctx);
      this._adoption.start();
      await this._adoption.scan(); // earlier pages' reflexes, their journals drained first
    } catch (error) {
      logger.log("error", "outbox: loading failed; continuing with what loaded", error);
      if (!ledger.own) {
        early?.then((lock) => lock?.release());
        const clientId = mintId();
        ledger.addLane(clientId, await tryLock(clientId), true);
      }
    }
    this._loaded = true;
    if (this._closed) ledger.close();
    ledger.countChanged();
    delivery.pump();
  }
}
