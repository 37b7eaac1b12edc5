// A bare ActionCable JSON client for server tests: records every frame and waits on conditions.
import { WebSocket, type ClientOptions } from "ws";
import type { CourierAck, CourierHello, Operation } from "../../../src/protocol/types";
import { afterEach } from "vitest";
import type { CourierServer } from "../../../src/server";

export type Frame = Record<string, unknown> & { type?: string; identifier?: string; message?: unknown };
export const PROTOCOLS = ["actioncable-v1-json", "actioncable-unsupported"];
export const CHANNEL = "StimulusReflex::Channel";

export class TestClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      this.waiters.splice(0).forEach((wake) => wake());
    });
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static open(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<TestClient> {
    const ws = new WebSocket(url, options.protocols ?? PROTOCOLS, options);
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(client));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** Resolves with the first frame (past or future) matching `match`, after `skip` earlier matches. */
  waitFor(match: (frame: Frame) => boolean, what = "frame", timeout = 5000, skip = 0): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames)}`)), timeout);
      const check = () => {
        const found = this.frames.filter(match)[skip];
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else this.waiters.push(check);
      };
      check();
    });
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Subscribes and waits for the verdict; resolves with the identifier. */
  async subscribe(params: Record<string, unknown> = { channel: CHANNEL }): Promise<{ identifier: string; type: string }> {
    const identifier = JSON.stringify(params);
    this.send({ command: "subscribe", identifier });
    const verdict = await this.waitFor(
      (f) => f.identifier === identifier && (f.type === "confirm_subscription" || f.type === "reject_subscription"),
      "subscription verdict",
    );
    return { identifier, type: String(verdict.type) };
  }

  perform(identifier: string, data: object): void {
    this.send({ command: "message", identifier, data: JSON.stringify(data) });
  }

  /** The courier acks received so far, optionally only one reflex's. */
  acks(id?: string): CourierAck[] {
    return this.courier().filter((c): c is CourierAck => "ack" in c && (id === undefined || c.id === id));
  }

  hellos(): CourierHello[] {
    return this.courier().filter((c): c is CourierHello => "hello" in c);
  }

  async waitForAck(match: (ack: CourierAck) => boolean, what = "ack", timeout = 5000): Promise<CourierAck> {
    const frame = await this.waitFor((f) => isAck(f) && match(ackOf(f)), what, timeout);
    return ackOf(frame);
  }

  /** Operations envelopes (plain answers and broadcasts). */
  envelopes(): Array<{ cableReady: true; operations: Operation[]; version: string }> {
    return this.frames.map((f) => f.message as { cableReady?: boolean }).filter((m) => m?.cableReady === true) as never;
  }

  close(): Promise<unknown> {
    this.ws.close();
    return this.closed;
  }

  private courier(): Array<CourierAck | CourierHello> {
    return this.frames
      .map((f) => (f.message as { courier?: CourierAck | CourierHello } | undefined)?.courier)
      .filter((c): c is CourierAck | CourierHello => c !== undefined);
  }
}

function isAck(frame: Frame): boolean {
  const courier = (frame.message as { courier?: { ack?: string } } | undefined)?.courier;
  return typeof courier?.ack === "string";
}

function ackOf(frame: Frame): CourierAck {
  return (frame.message as { courier: CourierAck }).courier;
}

let counter = 0;
/** A reflex payload as the client sends it (the keys the server reads, plus a few StimulusReflex ones). */
export function reflex(target: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return { target, args: [], id: `reflex-${counter}-${Date.now()}`, url: "http://127.0.0.1/", attrs: {}, formData: "", ...extra };
}

export function stamped(target: string, clientId: string, seq: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return reflex(target, { courier: { v: 1, clientId, seq }, ...extra });
}

/** Waits until `check()` is true (polling on the event loop, no fixed sleeps in the tests themselves). */
export async function until(check: () => boolean, what = "condition", timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Servers and clients a test file opens, closed after each test. */
export function closedAfterEach(): { servers: CourierServer[]; clients: TestClient[] } {
  const servers: CourierServer[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.ws.terminate());
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return { servers, clients };
}
