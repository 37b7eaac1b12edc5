// A hostile ActionCable server for the fuzzer: a WebSocket proxy in front of the reference server that
// forwards the honest conversation and, from a seeded generator, injects malformed, mismatched, oversized
// and deeply nested frames between the good ones, reorders honest acks and repeats some. It records every
// well-formed ack it forwarded, so the test can tell an exact ack from a forged one.
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";

export const KINDS = ["garbage", "malformed", "unknown-shape", "mismatched", "oversized", "deep", "bad-operations", "reordered", "repeated"] as const;
export type Kind = (typeof KINDS)[number];

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sent {
  id: string;
  clientId: string;
  seq: number;
}

export interface HostileOptions {
  upstream: string;
  seed: number;
  /** Stop injecting after this many frames. */
  frames: number;
  kinds?: readonly Kind[];
}

export class HostileProxy {
  readonly injected: Record<string, number> = Object.fromEntries(KINDS.map((k) => [k, 0]));
  /** reflex id → the terminal acks (committed/failed) the real server sent for it, as forwarded. */
  readonly exactAcks = new Map<string, string[]>();
  private readonly random: () => number;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private identifier: string | undefined;
  private readonly sent: Sent[] = [];
  private held: string[] = [];
  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly kinds: readonly Kind[];

  constructor(private readonly options: HostileOptions) {
    this.random = prng(options.seed);
    this.kinds = options.kinds?.length ? options.kinds : KINDS;
    this.http = createHttpServer();
    this.wss = new WebSocketServer({ server: this.http, handleProtocols: (p) => (p.has("actioncable-v1-json") ? "actioncable-v1-json" : false) });
    this.wss.on("connection", (client) => this.connect(client));
  }

  get total(): number {
    return Object.values(this.injected).reduce((a, b) => a + b, 0);
  }

  get done(): boolean {
    return this.total >= this.options.frames;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.http.listen(0, "127.0.0.1", resolve));
    return `ws://127.0.0.1:${(this.http.address() as AddressInfo).port}/cable`;
  }

  /** Injects bursts on a timer (the honest traffic alone is too sparse to carry 10,000 frames). */
  start(): void {
    this.ticker = setInterval(() => {
      if (this.done) return this.stopInjecting();
      const burst = 1 + Math.floor(this.random() * 3);
      for (let i = 0; i < burst && !this.done; i++) for (const socket of this.sockets) this.inject(socket);
    }, 10);
  }

  stopInjecting(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    for (const socket of this.sockets) this.release(socket);
  }

  async close(): Promise<void> {
    this.stopInjecting();
    for (const socket of this.sockets) socket.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private connect(client: WebSocket): void {
    const upstream = new WebSocket(this.options.upstream, ["actioncable-v1-json"]);
    const early: string[] = [];
    this.sockets.add(client);
    upstream.on("open", () => early.splice(0).forEach((m) => upstream.send(m)));
    upstream.on("message", (data) => this.forward(client, String(data)));
    upstream.on("close", () => client.terminate());
    upstream.on("error", () => client.terminate());
    client.on("message", (data) => {
      const text = String(data);
      this.sniff(text);
      if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
      else early.push(text);
    });
    client.on("close", () => {
      this.sockets.delete(client);
      upstream.terminate();
    });
  }

  /** Learns our identifier and the (id, clientId, seq) of each reflex, to forge near-miss acks. */
  private sniff(text: string): void {
    try {
      const command = JSON.parse(text) as { command?: string; identifier?: string; data?: string };
      if (command.command === "subscribe") this.identifier = command.identifier;
      if (command.command !== "message" || typeof command.data !== "string") return;
      const data = JSON.parse(command.data) as { id?: string; courier?: { clientId?: string; seq?: number } };
      if (data.id && data.courier?.clientId && data.courier.seq) {
        this.sent.push({ id: data.id, clientId: data.courier.clientId, seq: data.courier.seq });
        if (this.sent.length > 64) this.sent.shift();
      }
    } catch {
      // not ours to judge: the client sent it
    }
  }

  private forward(client: WebSocket, text: string): void {
    const acks = acksOf(text);
    for (const one of acks) {
      if (one.ack !== "committed" && one.ack !== "failed") continue;
      const list = this.exactAcks.get(one.id) ?? [];
      list.push(one.ack);
      this.exactAcks.set(one.id, list);
    }
    const ack = acks.length > 0;
    if (ack && !this.done && this.pick(["reordered"])) {
      // Honest but late: delivered after the next frame (or when injection stops).
      this.count("reordered");
      this.held.push(text);
      return;
    }
    client.send(text);
    this.release(client);
    if (ack && !this.done && this.pick(["repeated"])) {
      this.count("repeated");
      client.send(text);
    }
  }

  private release(client: WebSocket): void {
    if (this.held.length === 0 || client.readyState !== WebSocket.OPEN) return;
    for (const text of this.held.splice(0)) client.send(text);
  }

  private pick(kinds: Kind[]): boolean {
    return kinds.some((k) => this.kinds.includes(k)) && this.random() < 0.3;
  }

  private count(kind: Kind): void {
    this.injected[kind]++;
  }

  private inject(client: WebSocket): void {
    if (client.readyState !== WebSocket.OPEN) return;
    const choices = this.kinds.filter((k) => k !== "reordered" && k !== "repeated");
    if (choices.length === 0) return;
    const kind = choices[Math.floor(this.random() * choices.length)];
    const frame = this.make(kind);
    if (frame === undefined) return;
    this.count(kind);
    client.send(frame);
  }

  private make(kind: Kind): string | undefined {
    const r = this.random;
    const identifier = this.identifier ?? '{"channel":"StimulusReflex::Channel"}';
    const on = (message: unknown) => JSON.stringify({ identifier, message });
    const one = <T>(list: T[]): T => list[Math.floor(r() * list.length)];
    switch (kind) {
      case "garbage":
        return one(["", "{", "null", "[]", "42", '"welcome"', "\u0000\uffff", "{\"type\":", "}".repeat(10)]);
      case "malformed":
        return one([
          '{"type":7}', '{"type":"ping"}', '{"type":"ping","message":"x"}', '{"type":"confirm_subscription"}',
          '{"message":{}}', '{"identifier":5,"message":{}}', '{"type":"welcome","sid":5}', '{"type":"bogus"}',
          on({ courier: { v: 2, ack: "committed" } }), on({ courier: "x" }), on({ courier: { v: 1, ack: "done", id: "x", clientId: "c", seq: 1 } }),
          on({ courier: { v: 1, ack: "committed", id: 5, clientId: "c", seq: 1 } }), on({ courier: { v: 1, ack: "gap", id: "x", clientId: "c", seq: 1 } }),
          on({ cableReady: true, operations: "no" }), on({ cableReady: true, operations: [5] }),
        ]);
      case "unknown-shape":
        return one([on({ foo: 1 }), on("<turbo-stream>"), on(null), on([1, 2]), on({ cableReady: false })]);
      case "mismatched": {
        const real = this.sent.length ? one(this.sent) : { id: "nope", clientId: "nobody", seq: 1 };
        const ack = one(["committed", "failed", "received", "gap", "conflict"]);
        const wrong = one([
          { id: real.id, clientId: `${real.clientId}-other`, seq: real.seq },
          { id: real.id, clientId: real.clientId, seq: real.seq + 1 + Math.floor(r() * 1000) },
          { id: `${real.id}-other`, clientId: real.clientId, seq: real.seq },
        ]);
        const extra = ack === "gap" ? { expected: 1 } : ack === "failed" ? { error: "forged" } : {};
        return on({ courier: { v: 1, ack, ...wrong, ...extra } });
      }
      case "oversized":
        return r() < 0.5 ? on({ cableReady: true, operations: [], pad: "x".repeat(512 * 1024) }) : `{"type":"${"x".repeat(1024 * 1024)}"}`;
      case "deep": {
        const depth = r() < 0.02 ? 1024 * 1024 : 1000 + Math.floor(r() * 50_000);
        return `{"type":${"[".repeat(depth)}${"]".repeat(depth)}}`;
      }
      case "bad-operations":
        return on({
          cableReady: true,
          operations: [one([
            { operation: "scrollIntoView", selector: "#count", behavior: "bogus", block: "top" },
            { operation: "scrollIntoView", selector: "#count", inline: { x: 1 } },
            { operation: "noSuchOperation", selector: "#count" },
            { operation: "innerHtml", selector: "###", html: "x" },
            { operation: "setAttribute", selector: "#nowhere", name: "x", value: "y" },
            { operation: "dispatchEvent", name: 5 },
            { operation: "setStyle", selector: "#count", name: { a: 1 }, value: [] },
          ])],
        });
      default:
        return undefined;
    }
  }
}

type WireAck = { ack?: unknown; id?: unknown };

/** The honest acks a frame carries: one, or the entries of a batch (PROTOCOL.md §3); runs of `received` have no single id. */
function acksOf(text: string): { ack: string; id: string }[] {
  if (!text.includes('"courier"')) return [];
  try {
    const courier = (JSON.parse(text) as { message?: { courier?: WireAck & { batch?: WireAck[] } } }).message?.courier;
    const entries = Array.isArray(courier?.batch) ? courier.batch : courier ? [courier] : [];
    return entries.flatMap((e) => (typeof e?.ack === "string" && typeof e.id === "string" ? [{ ack: e.ack, id: e.id }] : []));
  } catch {
    return [];
  }
}
