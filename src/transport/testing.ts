// Test double: a WebSocket whose server side the test plays by hand. Install it as ActionCable's
// `adapters.WebSocket` before starting a Transport; the guard wraps it like the real one.
// `close()` never completes by itself, like a frozen or half-open server: only `drop()` closes it.
import type { ClientCommand } from "../protocol/types.js";
import type { RawSocket } from "./guard.js";

type Handler = ((event: unknown) => void) | null;

export class FakeWebSocket implements RawSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static instances: FakeWebSocket[] = [];

  static get last(): FakeWebSocket {
    const socket = FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
    if (!socket) throw new Error("no FakeWebSocket was created");
    return socket;
  }

  static reset(): void {
    FakeWebSocket.instances = [];
  }

  readyState = FakeWebSocket.CONNECTING;
  protocol = "";
  onopen: Handler = null;
  onmessage: Handler = null;
  onclose: Handler = null;
  onerror: Handler = null;
  readonly sent: string[] = [];
  closeCalls = 0;

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeWebSocket.instances.push(this);
  }

  send(data: string): void {
    if (this.readyState === FakeWebSocket.CONNECTING) throw new Error("InvalidStateError: still connecting");
    if (this.readyState === FakeWebSocket.OPEN) this.sent.push(data);
  }

  close(): void {
    this.closeCalls++;
    if (this.readyState === FakeWebSocket.OPEN) this.readyState = FakeWebSocket.CLOSING;
  }

  // ---- the server's side ----

  /** Completes the handshake with ActionCable's subprotocol. */
  accept(protocol = "actioncable-v1-json"): void {
    this.readyState = FakeWebSocket.OPEN;
    this.protocol = protocol;
    this.onopen?.({ type: "open" });
  }

  /** Delivers one frame: an object is sent as JSON, a string as is. */
  receive(frame: object | string): void {
    if (this.readyState !== FakeWebSocket.OPEN) return;
    this.onmessage?.({ type: "message", data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }

  /** The connection ends (server gone, network cut, or refused before it opened). */
  drop(code = 1006): void {
    if (this.readyState === FakeWebSocket.CLOSED) return;
    const opened = this.readyState !== FakeWebSocket.CONNECTING;
    this.readyState = FakeWebSocket.CLOSED;
    if (!opened) this.onerror?.({ type: "error" });
    this.onclose?.({ type: "close", code, reason: "", wasClean: false });
  }

  commands(): ClientCommand[] {
    return this.sent.map((data) => JSON.parse(data) as ClientCommand);
  }

  /** Accepts, welcomes, and confirms every subscription the client asked for. */
  handshake(): void {
    if (this.readyState === FakeWebSocket.CONNECTING) this.accept();
    this.receive({ type: "welcome" });
    this.confirmAll();
  }

  confirmAll(): void {
    const asked = this.commands().filter((c) => c.command === "subscribe");
    for (const { identifier } of new Map(asked.map((c) => [c.identifier, c])).values()) {
      this.receive({ type: "confirm_subscription", identifier });
    }
  }
}
