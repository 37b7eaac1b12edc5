// The one object a page talks to. It owns nothing but the wiring: event → outbox → transport → server →
// acks/operations → outbox stage → DOM. Each part lives in its own folder.
import { dispatch } from "./core/events.js";
import { warnOnce } from "./core/warn.js";
import type { CableState, InboundMessage, Operation } from "./protocol/types.js";
import { classifyMessage } from "./protocol/validate.js";
import { Transport } from "./transport/index.js";
import { sharedSlot } from "./transport/shared.js";
import { Outbox, type ReflexPromise, type StageDetail } from "./outbox/index.js";
import { StatusHooks } from "./dom/status.js";
import { TriggerObserver } from "./dom/triggers.js";
import { Operations } from "./dom/operations.js";
import { buildPayload, type PayloadOptions } from "./dom/payload.js";
import { staleDefault } from "./dom/stale.js";
import { markStage } from "./dom/stage-marks.js";
import { resolveOptions, type CourierOptions, type ResolvedOptions } from "./options.js";

export interface StimulateOptions extends PayloadOptions {
  /** `safe`: may be sent again when its fate is uncertain (plain StimulusReflex servers). */
  retry?: "safe" | "unsafe";
}

type CustomOperation = (operation: Operation, element: Element | null, doc: Document) => void;

export class Courier {
  readonly options: ResolvedOptions;
  private readonly status: StatusHooks;
  private readonly operations: Operations;
  private readonly triggers: TriggerObserver;
  private readonly outbox: Outbox;
  private transport: Transport | undefined;
  private stopped = false;
  /** Elements that triggered reflexes still pending, for stage marks; dropped at a terminal stage. */
  private readonly elements = new Map<string, Element>();

  constructor(options: CourierOptions = {}) {
    this.options = resolveOptions(options);
    const { logger, offline, disconnectDelay } = this.options;
    this.status = new StatusHooks(document, { offline, disconnectDelay });
    this.operations = new Operations(document, logger);
    this.triggers = new TriggerObserver(document, (target, element) => {
      // No caller to tell: a failure is announced by courier:failed, and warned about if nobody reads it.
      this.enqueue(target, { element });
    });
    this.outbox = Outbox.open(this.options, {
      send: (payload) => this.transport?.send(payload) ?? false,
      stage: (detail) => this.markStage(detail),
      apply: (operations) => this.operations.apply(operations),
      stale: (reflexes) => staleDefault(dispatch(document, "courier:stale", { reflexes }, true)),
      pendingChanged: (count) => this.status.setPending(count),
      storageDegraded: (error) => {
        logger.log("warn", "IndexedDB unavailable: the outbox is in memory only", error);
        dispatch(document, "courier:storage-degraded", { error });
      },
    });
  }

  get state(): CableState {
    return this.transport?.state ?? "connecting";
  }

  /** False when the outbox fell back to memory: queued reflexes will not survive a reload. */
  get durable(): boolean {
    return this.outbox.durable;
  }

  get clientId(): string {
    return this.outbox.clientId;
  }

  /** Reflexes not yet committed or failed. */
  get pending(): number {
    return this.outbox.pending;
  }

  /** Resolves once the outbox has loaded what earlier pages left in it. */
  get ready(): Promise<void> {
    return this.outbox.ready;
  }

  /** Stores the reflex, then sends it when the connection allows; never waits for the network. */
  stimulate(target: string, options: StimulateOptions = {}): ReflexPromise {
    return watchHandlers(this.enqueue(target, options), this.unhandled);
  }

  private enqueue(target: string, options: StimulateOptions): ReflexPromise {
    const { element } = options;
    const retry = options.retry ?? (element?.getAttribute("data-reflex-retry") === "safe" ? "safe" : "unsafe");
    const payload = buildPayload(target, { ...options, version: options.version ?? this.options.version });
    if (element) this.elements.set(payload.id, element);
    const promise = this.outbox.enqueue(payload, { retry });
    this.unhandled.set(promise.id, true);
    this.own.add(promise.id);
    promise.then(
      () => this.unhandled.delete(promise.id),
      (error: unknown) => setTimeout(() => this.warnUnhandled(promise.id, target, error)),
    );
    return promise;
  }

  /**
   * Reflex ids whose failure nobody has handled yet. Handled means: the promise `stimulate()` returned got
   * a `then`/`catch`/`finally` (an `await` counts), or a `courier:failed` listener read `event.detail`.
   */
  private readonly unhandled = new Map<string, boolean>();
  /** Ids of the reflexes this page sent, for `isolate` (kept for the page's life: replays may follow). */
  private readonly own = new Set<string>();
  /** A courier:failed event is being dispatched: a read of its detail is an app listener's. */
  private reading = false;

  private warnUnhandled(id: string, target: string, error: unknown): void {
    const unhandled = this.unhandled.get(id);
    this.unhandled.delete(id);
    if (!unhandled) return;
    const reason = (error as { reason?: string } | null)?.reason ?? String(error);
    const message = `reflex ${target} failed (${reason}) and nothing handled it: add .catch() to stimulate()'s promise or listen for courier:failed`;
    if (this.options.logger.enabled) this.options.logger.log("warn", message, error);
    else console.warn(`[cable-courier] ${message}`, error);
  }

  /**
   * Applies CableReady operations (or a whole `{cableReady: true, operations}` envelope) to the page, as
   * if the server had sent them: for operations that reach the app some other way.
   */
  applyOperations(operations: Operation[] | { cableReady: true; operations: Operation[] }): void {
    if (Array.isArray(operations)) this.operations.apply(operations);
    else this.operations.applyEnvelope(operations);
  }

  /** Registers a custom CableReady operation. */
  addOperation(name: string, fn: CustomOperation): void {
    this.operations.add(name, fn);
  }

  /** @internal Called once by `start()`. */
  connect(): void {
    addEventListener("pagehide", this.flush);
    this.status.start();
    this.status.setPending(this.outbox.pending); // present from the start, not only after a first reflex
    this.triggers.start();
    this.outbox.ready.then(() => this.openTransport());
  }

  /**
   * Closes the socket (unless it is a shared consumer's) and stops watching the page. Queued reflexes stay
   * in the outbox for the next page. Navigations never call this: the courier lives as long as the tab.
   */
  stop(): void {
    this.stopped = true;
    removeEventListener("pagehide", this.flush);
    this.transport?.stop();
    this.triggers.stop();
    this.status.stop();
    this.outbox.close();
    sharedSlot<Courier>().release(this);
  }

  /** A page about to be hidden or unloaded: batched deletions go to IndexedDB now. */
  private readonly flush = (): void => this.outbox.flush();

  private openTransport(): void {
    if (this.stopped) return;
    const { url, consumer, channel, params, logger, reconnectBase, reconnectMax, staleAfter, welcomeTimeout } = this.options;
    this.transport = new Transport(
      {
        url,
        consumer,
        // Read at each (re)subscribe: the outbox moves to a fresh clientId when the server lost our seqs.
        params: () => ({ channel, ...params, courier: 1, clientId: this.outbox.clientId }),
        reconnectBase,
        reconnectMax,
        staleAfter,
        welcomeTimeout,
        logger,
      },
      {
        stateChanged: (state, previous) => this.stateChanged(state, previous),
        subscribed: () => this.outbox.subscribed(),
        unsubscribed: () => this.outbox.unsubscribed(),
        socketLost: () => this.outbox.unsubscribed(),
        received: (data) => this.received(data),
        protocolError: (error, raw) => this.protocolError(error, raw),
      },
    );
    this.transport.start();
  }

  /** Why the server last closed the socket (`{reason, reconnect}`); `reconnect: false` means we stopped trying. */
  get lastDisconnect(): { reason: string; reconnect: boolean } | undefined {
    return this.transport?.lastDisconnect;
  }

  private stateChanged(state: CableState, previous: CableState): void {
    this.status.setState(state);
    const detail = { state, previous, disconnect: this.lastDisconnect };
    if (state === "refused") {
      const reason = detail.disconnect?.reason ?? "unknown";
      const url = this.transport?.cableUrl ?? this.options.url;
      warnOnce(`refused ${reason} ${url}`, `the server at ${url} refused the connection (${reason}); not retrying until the page wakes or reloads`);
    }
    dispatch(document, "courier:state", detail);
    if (state === "connected") dispatch(document, "courier:connected", detail);
    else if (previous === "connected") dispatch(document, "courier:disconnected", detail);
  }

  private received(data: unknown): void {
    const message = classifyMessage(data);
    if (message instanceof Error) return this.protocolError(message, data);
    // Operations land in the page before the outbox resolves the reflex they answer.
    if (message.kind === "operations") this.operations.apply(this.isolated(message.envelope.operations));
    this.outbox.received(message as InboundMessage);
  }

  /** With `isolate`, drops the operations answering another tab's reflex. */
  private isolated(operations: Operation[]): Operation[] {
    if (!this.options.isolate) return operations;
    return operations.filter((op) => typeof op.reflexId !== "string" || this.own.has(op.reflexId));
  }

  private protocolError(error: Error, raw: unknown): void {
    this.options.logger.log("warn", `ignored a malformed frame: ${error.message}`, raw);
    dispatch(document, "courier:protocol-error", { error, raw });
  }

  private markStage(detail: StageDetail): void {
    const element = this.elements.get(detail.id);
    if (detail.stage === "failed") {
      // Reads count from the moment the event is dispatched (capture on window), not markStage's own.
      const arm = () => (this.reading = true);
      addEventListener("courier:failed", arm, { capture: true, once: true });
      try {
        markStage(element, this.watchDetail(detail));
      } finally {
        this.reading = false;
        removeEventListener("courier:failed", arm, { capture: true });
      }
    } else markStage(element, detail);
    if (detail.stage === "committed" || detail.stage === "failed") this.elements.delete(detail.id);
  }

  /** A failed stage's detail that marks the reflex handled when a listener reads any of it. */
  private watchDetail(detail: StageDetail): StageDetail {
    const { unhandled } = this;
    const reading = () => this.reading;
    return new Proxy(detail, {
      get(target, key, receiver) {
        if (reading() && unhandled.has(detail.id)) unhandled.set(detail.id, false);
        return Reflect.get(target, key, receiver);
      },
    });
  }
}

/** Marks the reflex handled as soon as the caller attaches anything to its promise. */
function watchHandlers(promise: ReflexPromise, unhandled: Map<string, boolean>): ReflexPromise {
  const handled = () => void (unhandled.has(promise.id) && unhandled.set(promise.id, false));
  for (const name of ["then", "catch", "finally"] as const) {
    const original = Promise.prototype[name] as (...args: unknown[]) => unknown;
    Object.defineProperty(promise, name, {
      configurable: true,
      value(this: Promise<unknown>, ...args: unknown[]) {
        handled();
        return original.apply(this, args);
      },
    });
  }
  return promise;
}
