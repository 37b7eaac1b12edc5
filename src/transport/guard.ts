// The "guarded socket": a transparent WebSocket wrapper installed as ActionCable's `adapters.WebSocket`.
// ActionCable JSON.parses every frame inside its onmessage (a bad frame throws out of the socket handler)
// and waits for the closing handshake before it notices a close — which a frozen or half-open server
// never completes. The guard validates each frame first, remembers when the last one came, and reports
// a close to ActionCable at once.
import { parseServerFrame, ProtocolError } from "../protocol/validate.js";
import type { ServerFrame } from "../protocol/types.js";

type Handler = ((event: unknown) => void) | null;
type HandlerName = "onopen" | "onmessage" | "onclose" | "onerror";

/** The part of a browser WebSocket the guard and ActionCable use. */
export interface RawSocket {
  readonly readyState: number;
  readonly protocol: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler;
  onmessage: Handler;
  onclose: Handler;
  onerror: Handler;
}
export type SocketClass = new (url: string, protocols?: string | string[]) => RawSocket;

/** Told about every guarded socket's traffic; filter by socket identity. */
export interface SocketObserver {
  frame(socket: GuardedSocket, frame: ServerFrame): void;
  malformed(socket: GuardedSocket, error: ProtocolError): void;
  closed(socket: GuardedSocket): void;
  failed(socket: GuardedSocket, error: unknown): void;
}

const observers = new Set<SocketObserver>();
let base: SocketClass | undefined;

export function observeSockets(observer: SocketObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

function notify<K extends keyof SocketObserver>(name: K, ...args: Parameters<SocketObserver[K]>): void {
  for (const observer of [...observers]) {
    try {
      (observer[name] as (...a: Parameters<SocketObserver[K]>) => void)(...args);
    } catch {
      // An observer's failure must not stop the frame reaching ActionCable or other observers.
    }
  }
}

/** Wraps `adapters.WebSocket` (once; a later, different WebSocket class is wrapped anew). */
export function installGuard(adapters: { WebSocket: unknown }): void {
  if (adapters.WebSocket === GuardedSocket) return;
  base = adapters.WebSocket as SocketClass | undefined;
  adapters.WebSocket = GuardedSocket;
}

export class GuardedSocket {
  // ActionCable reads the state names by enumerating these; keep them the only static fields.
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  onopen: Handler = null;
  onmessage: Handler = null;
  onclose: Handler = null;
  onerror: Handler = null;
  /** `Date.now()` of the last frame, valid or not; 0 before the first. */
  lastFrameAt = 0;
  private readonly _raw: RawSocket | undefined;
  private _reported = false;

  constructor(url: string, protocols?: string | string[]) {
    try {
      if (!base) throw new Error("no WebSocket implementation to wrap");
      this._raw = new base(url, protocols);
    } catch (error) {
      // A socket that cannot even be made (bad URL, no WebSocket) closes at once, like a refused one.
      Promise.resolve().then(() => {
        notify("failed", this, error);
        this._reportClose(1006, "could not create the WebSocket");
      });
      return;
    }
    const raw = this._raw;
    raw.onopen = (event) => {
      if (!this._reported) this._forward("onopen", event);
    };
    raw.onerror = (event) => {
      if (!this._reported) this._forward("onerror", event);
    };
    raw.onmessage = (event) => this._receive(event as { data: unknown });
    raw.onclose = (event) => {
      if (this._reported) return;
      this._reported = true;
      this._forward("onclose", event);
      notify("closed", this);
    };
  }

  get readyState(): number {
    return this._reported || !this._raw ? GuardedSocket.CLOSED : this._raw.readyState;
  }

  get protocol(): string {
    return this._raw?.protocol ?? "";
  }

  send(data: string): void {
    if (!this._reported) this._raw?.send(data);
  }

  /** Starts the closing handshake but tells ActionCable "closed" now, without waiting for the server. */
  close(code?: number, reason?: string): void {
    const raw = this._raw;
    if (raw && raw.readyState === GuardedSocket.CONNECTING) {
      // As ActionCable does: closing a connecting socket trips a Safari 15 bug, so close it once open.
      raw.onopen = () => raw.close();
    } else if (raw && raw.readyState === GuardedSocket.OPEN) {
      raw.close(code, reason);
    }
    this._reportClose(code ?? 1000, reason ?? "closed by the client");
  }

  private _reportClose(code: number, reason: string): void {
    if (this._reported) return;
    this._reported = true;
    this._forward("onclose", { type: "close", code, reason, wasClean: false, target: this });
    notify("closed", this);
  }

  private _receive(event: { data: unknown }): void {
    if (this._reported) return;
    this.lastFrameAt = Date.now();
    const frame = parseServerFrame(event.data as string);
    if (frame instanceof ProtocolError) return notify("malformed", this, frame);
    notify("frame", this, frame);
    this._forward("onmessage", event);
  }

  private _forward(name: HandlerName, event: unknown): void {
    try {
      this[name]?.call(this, event);
    } catch (error) {
      // A subscriber's callback threw inside ActionCable; the socket carries on.
      notify("failed", this, error);
    }
  }
}
