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
  private readonly _status: StatusHooks;
  private readonly _operations: Operations;
  private readonly _triggers: TriggerObserver;
  private readonly _outbox: Outbox;
  private _transport: Transport | undefined;
  private _stopped = false;
  /** Elements that triggered reflexes still pending, for stage marks; dropped at a terminal stage. */
  private readonly _elements = new Map<string, Element>();

  constructor(options: CourierOptions = {}) {
    this.options = resolveOptions(options);
    const { logger, offline, disconnectDelay } = this.options;
    this._status = new StatusHooks(document, { offline, disconnectDelay });
    this._operations = new Operations(document, logger);
    this._triggers = new TriggerObserver(document, (target, element) => {
      // No caller to tell: a failure is announced by courier:failed, and warned about if nobody reads it.
      this._enqueue(target, { element });
    });
    this._outbox = Outbox.open(this.options, {
      send: (payload) => this._transport?.send(payload) ?? false,
      stage: (detail) => this._markStage(detail),
      apply: (operations) => this._operations.apply(operations),
      stale: (reflexes) => staleDefault(dispatch(document, "courier:stale", { reflexes }, true)),
      pendingChanged: (count) => this._status.setPending(count),
      storageDegraded: (error) => {
        logger.log("warn", "IndexedDB unavailable: the outbox is in memory only", error);
        dispatch(document, "courier:storage-degraded", { error });
      },
    });
  }

  get state(): CableState {
    return this._transport?.state ?? "connecting";
  }

  /** False when the outbox fell back to memory: queued reflexes will not survive a reload. */
  get durable(): boolean {
    return this._outbox.durable;
  }

  get clientId(): string {
    return this._outbox.clientId;
  }

  /** Reflexes not yet committed or failed. */
  get pending(): number {
    return this._outbox.pending;
  }

  /** Resolves once the outbox has loaded what earlier pages left in it. */
  get ready(): Promise<void> {
    return this._outbox.ready;
  }

  /** Stores the reflex, then sends it when the connection allows; never waits for the network. */
  stimulate(target: string, options: StimulateOptions = {}): ReflexPromise {
    return watchHandlers(this._enqueue(target, options), this._unhandled);
  }

  private _enqueue(target: string, options: StimulateOptions): ReflexPromise {
    const { element } = options;
    const retry = options.retry ?? (element?.getAttribute("data-reflex-retry") === "safe" ? "safe" : "unsafe");
    const payload = buildPayload(target, { ...options, version: options.version ?? this.options.version });
    if (element) this._elements.set(payload.id, element);
    const promise = this._outbox.enqueue(payload, { retry });
    this._unhandled.set(promise.id, true);
    this._own.add(promise.id);
    promise.then(
      () => this._unhandled.delete(promise.id),
      (error: unknown) => setTimeout(() => this._warnUnhandled(promise.id, target, error)),
    );
    return promise;
  }

  /**
   * Reflex ids whose failure nobody has handled yet. Handled means: the promise `stimulate()` returned got
   * a `then`/`catch`/`finally` (an `await` counts), or a `courier:failed` listener read `event.detail`.
   */
  private readonly _unhandled = new Map<string, boolean>();
  /** Ids of the reflexes this page sent, for `isolate` (kept for the page's life: replays may follow). */
  private readonly _own = new Set<string>();
  /** A courier:failed event is being dispatched: a read of its detail is an app listener's. */
  private _reading = false;

  private _warnUnhandled(id: string, target: string, error: unknown): void {
    const unhandled = this._unhandled.get(id);
    this._unhandled.delete(id);
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
    if (Array.isArray(operations)) this._operations.apply(operations);
    else this._operations.applyEnvelope(operations);
  }

  /** Registers a custom CableReady operation. */
  addOperation(name: string, fn: CustomOperation): void {
    this._operations.add(name, fn);
  }

  /** @internal Called once by `start()`. */
  connect(): void {
    addEventListener("pagehide", this._flush);
    this._status.start();
    this._status.setPending(this._outbox.pending); // present from the start, not only after a first reflex
    this._triggers.start();
    this._outbox.ready.then(() => this._openTransport());
  }

  /**
   * Closes the socket (unless it is a shared consumer's) and stops watching the page. Queued reflexes stay
   * in the outbox for the next page. Navigations never call this: the courier lives as long as the tab.
   */
  stop(): void {
    this._stopped = true;
    removeEventListener("pagehide", this._flush);
    this._transport?.stop();
    this._triggers.stop();
    this._status.stop();
    this._outbox.close();
    sharedSlot<Courier>().release(this);
  }

  /** A page about to be hidden or unloaded: batched deletions go to IndexedDB now. */
  private readonly _flush = (): void => this._outbox.flush();

  private _openTransport(): void {
    if (this._stopped) return;
    const { url, consumer, channel, params, logger, reconnectBase, reconnectMax, staleAfter, welcomeTimeout } = this.options;
    this._transport = new Transport(
      {
        url,
        consumer,
        // Read at each (re)subscribe: the outbox moves to a fresh clientId when the server lost our seqs.
        params: () => ({ channel, ...params, courier: 1, clientId: this._outbox.clientId, courierAcks: "batch" }),
        reconnectBase,
        reconnectMax,
        staleAfter,
        welcomeTimeout,
        logger,
      },
      {
        stateChanged: (state, previous) => this._stateChanged(state, previous),
        subscribed: () => this._outbox.subscribed(),
        unsubscribed: () => this._outbox.unsubscribed(),
        socketLost: () => this._outbox.unsubscribed(),
        received: (data) => this._received(data),
        protocolError: (error, raw) => this._protocolError(error, raw),
      },
    );
    this._transport.start();
  }

  /** Why the server last closed the socket (`{reason, reconnect}`); `reconnect: false` means we stopped trying. */
  get lastDisconnect(): { reason: string; reconnect: boolean } | undefined {
    return this._transport?.lastDisconnect;
  }

  private _stateChanged(state: CableState, previous: CableState): void {
    this._status.setState(state);
    const detail = { state, previous, disconnect: this.lastDisconnect };
    if (state === "refused") {
      const reason = detail.disconnect?.reason ?? "unknown";
      const url = this._transport?.cableUrl ?? this.options.url;
      warnOnce(`refused ${reason} ${url}`, `the server at ${url} refused the connection (${reason}); not retrying until the page wakes or reloads`);
    }
    dispatch(document, "courier:state", detail);
    if (state === "connected") dispatch(document, "courier:connected", detail);
    else if (previous === "connected") dispatch(document, "courier:disconnected", detail);
  }

  private _received(data: unknown): void {
    const message = classifyMessage(data);
    if (message instanceof Error) return this._protocolError(message, data);
    // Operations land in the page before the outbox resolves the reflex they answer.
    if (message.kind === "operations") this._operations.apply(this._isolated(message.envelope.operations));
    // A batch is the per-reflex acks it stands for, handed over in order: the outbox knows only those.
    if (message.kind === "batch") for (const ack of message.acks) this._outbox.received({ kind: "ack", ack });
    else this._outbox.received(message as InboundMessage);
  }

  /** With `isolate`, drops the operations answering another tab's reflex. */
  private _isolated(operations: Operation[]): Operation[] {
    if (!this.options.isolate) return operations;
    return operations.filter((op) => typeof op.reflexId !== "string" || this._own.has(op.reflexId));
  }

  private _protocolError(error: Error, raw: unknown): void {
    this.options.logger.log("warn", `ignored a malformed frame: ${error.message}`, raw);
    dispatch(document, "courier:protocol-error", { error, raw });
  }

  private _markStage(detail: StageDetail): void {
    const element = this._elements.get(detail.id);
    if (detail.stage === "failed") {
      // Reads count from the moment the event is dispatched (capture on window), not markStage's own.
      const arm = () => (this._reading = true);
      addEventListener("courier:failed", arm, { capture: true, once: true });
      try {
        markStage(element, this._watchDetail(detail));
      } finally {
        this._reading = false;
        removeEventListener("courier:failed", arm, { capture: true });
      }
    } else markStage(element, detail);
    if (detail.stage === "committed" || detail.stage === "failed") this._elements.delete(detail.id);
  }

  /** A failed stage's detail that marks the reflex handled when a listener reads any of it. */
  private _watchDetail(detail: StageDetail): StageDetail {
    const unhandled = this._unhandled;
    const reading = () => this._reading;
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
