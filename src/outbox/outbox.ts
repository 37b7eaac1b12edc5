// The durable outbox: every reflex is written to IndexedDB before it is sent and leaves only when the
// server says it is done. The courier hands it `send` and hooks; it never touches the DOM or the socket.
import { guarded } from "../core/events.js";
import { silentLogger } from "../core/logger.js";
import type { InboundMessage, ReflexPayload } from "../protocol/types.js";
import { Adoption, pruneOtherIdentities } from "./adoption.js";
import { Heartbeat, locksSupported, mintClient, mintId, tryLock, type HeldLock } from "./claims.js";
import type { Context } from "./context.js";
import { Delivery } from "./delivery.js";
import type { OutboxHooks, OutboxOptions, StaleReason, StaleReflex } from "./hooks.js";
import { receive } from "./inbound.js";
import { journalRemove, journalWrite } from "./journal.js";
import { Ledger } from "./ledger.js";
import { sanitize } from "./payload.js";
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
  private readonly options: Resolved;
  private readonly ctx: Context;
  private readonly adoption: Adoption;
  /** Committed reflexes not applied to this page, reported together at the end of the task. */
  private staleBatch: StaleReflex[] = [];
  /** Minted at once, so reflexes accepted before the load are journaled under it. */
  private readonly firstClientId: string;
  private degradedReported = false;
  private readonly degraded: (error: unknown) => void;
  private loaded = false;
  private closed = false;

  /** Opens storage in the background and never throws; `enqueue` may be called at once. */
  static open(options: OutboxOptions, hooks: OutboxHooks): Outbox {
    return new Outbox(options, hooks);
  }

  private constructor(options: OutboxOptions, hooks: OutboxHooks) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    this.options = { ...DEFAULTS, ...defined } as Resolved;
    const pageUrl = options.pageUrl ?? locationUrl;
    const logger = options.logger ?? silentLogger;
    const identity = this.options.identity;
    // IndexedDB failing and a full localStorage journal both narrow durability: reported once.
    this.degraded = (error) => {
      if (this.degradedReported) return;
      this.degradedReported = true;
      guarded(logger, "storageDegraded hook", () => hooks.storageDegraded(error));
    };
    const persistence = new Persistence(logger, (error) => this.degraded(error));
    const ledger = new Ledger(identity, hooks, logger, persistence, (entry) => delivery.resendDue(entry), () => delivery.pump());
    const delivery = new Delivery(ledger, this.options, hooks, persistence, logger);
    const heartbeat = new Heartbeat(identity, persistence, logger, (lost) => {
      lost.forEach((clientId) => this.lose(clientId));
      void this.adoption.scan();
    });
    this.ctx = { identity, heartbeat, maxAge: this.options.maxAge, hooks, logger, persistence, ledger, delivery,
      closed: () => this.closed,
      forThisUrl: (entry) => {
        const url = guarded(logger, "pageUrl option", pageUrl);
        return url === undefined || entry.record.payload.url === url;
      },
      stale: (entry, reason) => this.reportStale(entry, reason, hooks),
      ownChanged: () => this.adoption.announce() };
    this.adoption = new Adoption(this.ctx);
    this.firstClientId = mintId(); // after the heartbeat's page id
    // Its Web Lock is asked for now, before the load: another page scanning journals must never take the
    // lane of a page that has journaled reflexes but is still opening IndexedDB.
    const early = locksSupported() ? tryLock(this.firstClientId) : undefined;
    this.ready = this.load(early);
  }

  /**
   * This tab's clientId; "" until `ready`. It changes when the server lost our seqs, another tab shared
   * it, or another user connected: read it again on every (re)subscription.
   */
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
    const createdAt = Date.now();
    // Synchronously, before any transaction exists: durable from the instant it is accepted.
    if (this.options.storage !== "memory") {
      const refused = journalWrite(this.ctx.ledger.own?.clientId ?? this.firstClientId, { identity: this.ctx.identity, payload: clean, retry, createdAt });
      if (refused !== undefined) this.degraded(refused);
    }
    const store = (settle: Settle) => this.file(clean, retry, settle, createdAt);
    if (this.loaded) store(settle);
    else {
      // Counted from the moment it is accepted (data-cable-pending), though it waits for the load.
      this.ctx.ledger.early++;
      this.ctx.ledger.countChanged();
      void this.ready.then(() => {
        this.ctx.ledger.early--;
        store(settle);
        this.ctx.ledger.countChanged(); // when it was refused instead of filed
      });
    }
    return promise;
  }

  /** The transport confirmed the subscription: the mode is extension iff a hello came first. */
  subscribed(): void {
    if (this.closed) return;
    this.ctx.delivery.subscribed();
    if (this.loaded) void this.adoption.scan();
  }

  /** Any socket loss, before or after the confirmation; harmless when not subscribed. */
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

  /** Writes what is batched (deletions of finished reflexes) now: the page may be going away. */
  flush(): void {
    void this.ctx.ledger.flushRemovals();
  }

  /** Lets go of timers and Web Locks, as a page unload would; pending promises stay unsettled. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.heartbeat.stop();
    this.adoption.close();
    this.ctx.delivery.stop();
    this.ctx.ledger.close();
  }

  /**
   * Files an accepted reflex in the own lane, which gives it its seq and one IndexedDB transaction with
   * the other reflexes of the same task (a transaction per click would queue behind each other, and a
   * reload would abort half-way); the journal covers the moment before it commits.
   */
  private file(payload: ReflexPayload, retry: "safe" | "unsafe", settle: Settle, createdAt: number): void {
    const { ledger, persistence, delivery, identity } = this.ctx;
    const { id, target } = payload;
    const lane = ledger.own;
    const refuse = (reason: "storage" | "outbox-full" | "failed", why: string) => {
      journalRemove(id);
      ledger.refuse(id, target, reason, settle, why);
    };
    if (this.closed || !lane) return refuse("storage", "the outbox is closed");
    const { pending } = ledger;
    if (pending >= this.options.maxQueue) return refuse("outbox-full", `${pending} reflexes are already waiting`);
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
  private lose(clientId: string): void {
    const lane = this.ctx.ledger.lanes.get(clientId);
    if (!lane || this.closed) return;
    this.ctx.logger.log("warn", `outbox: another page claimed client ${clientId} (this page's heartbeat was late)`);
    // The own lane is forgotten only once a fresh one replaces it: new reflexes always have a lane.
    if (!lane.own) return this.ctx.ledger.abandon(lane);
    void relocate(lane, { pick: () => false, renew: true, why: "another page claimed our client" }, this.ctx).then(() => this.ctx.ledger.abandon(lane));
  }

  private reportStale(entry: Entry, reason: StaleReason, hooks: OutboxHooks): void {
    const { id, target, clientId, seq, payload } = entry.record;
    if (!this.staleBatch.length) {
      queueMicrotask(() => {
        const reflexes = this.staleBatch;
        this.staleBatch = [];
        guarded(this.ctx.logger, "stale hook", () => hooks.stale(reflexes));
      });
    }
    this.staleBatch.push({ id, target, clientId, seq, url: typeof payload.url === "string" ? payload.url : "", reason });
  }

  private async load(early: Promise<HeldLock | null> | undefined): Promise<void> {
    const { ledger, persistence, identity, logger, delivery } = this.ctx;
    try {
      await persistence.open(this.options.storage);
      // A fresh clientId every load: nothing is stored under it, and what earlier pages left is adopted.
      const own = await mintClient((clientId) => early ?? this.ctx.heartbeat.claim(clientId), this.firstClientId);
      ledger.addLane(own.clientId, own.lock, true).nextSeq = own.nextSeq;
      await pruneOtherIdentities(this.ctx);
      this.adoption.start();
      await this.adoption.scan(); // earlier pages' reflexes, their journals drained first
    } catch (error) {
      logger.log("error", "outbox: loading failed; continuing with what loaded", error);
      if (!ledger.own) {
        early?.then((lock) => lock?.release());
        const own = await mintClient();
        ledger.addLane(own.clientId, own.lock, true);
      }
    }
    this.loaded = true;
    if (this.closed) ledger.close();
    ledger.countChanged();
    delivery.pump();
  }
}
