// A stand-in for an unmodified StimulusReflex 3.5.5 server as plain mode meets it, with the two habits
// the reference server's plain mode lacks (issue 9 item 10):
// - one connection's messages run on a pool of workers (ActionCable's worker pool, four threads by
//   default), each job starting after a seeded random delay, so a burst can run out of arrival order;
// - an unknown target gets no answer at all (StimulusReflex's ReflexFactory raises before a reflex
//   exists, and the channel then logs and broadcasts nothing).
// Its frames are the reference server's plain shapes (src/server/plain.ts) plus `selector: null` on the
// morph-nothing event, as CableReady sends it; test/unit/server/sr-fake.test.ts checks them against
// the recorded real frames so the fake cannot drift.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import type { Operation } from "../../src/protocol/types";
import { prng } from "../fuzz/hostile";
import { envelope, plainOperations, SUBPROTOCOL, type ReflexContext, type ReflexHandler } from "../../src/server";

export interface FakeOptions {
  reflexes: Record<string, ReflexHandler>;
  /** Concurrent jobs per connection. Default 4, as ActionCable's worker pool. */
  workers?: number;
  /** Largest random delay before a job runs, in ms. Default 40. */
  jitter?: number;
  /** Seed of the delays; each connection starts the same sequence. Default 1. */
  seed?: number;
  /** ActionCable's beat. Default 3000 ms. */
  pingInterval?: number;
  port?: number;
  /** Where the fake writes what it saw; pass the same one to a restarted fake to keep one history. */
  log?: FakeLog;
}

export interface FakeRun {
  id: string;
  target: string;
}

export interface FakeLog {
  /** Reflex ids in the order their messages arrived, answered or not. */
  readonly arrived: string[];
  /** Reflexes in the order their handlers started. */
  readonly ran: FakeRun[];
  /** Reflexes left unanswered because no handler has their target. */
  readonly unanswered: string[];
}

export const emptyLog = (): FakeLog => ({ arrived: [], ran: [], unanswered: [] });

export interface StimulusReflexFake extends FakeLog {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** `Counter#x` and `CounterReflex#x` name the same reflex class, as in StimulusReflex. */
function handlerFor(reflexes: Record<string, ReflexHandler>, target: unknown): string | undefined {
  if (typeof target !== "string" || !target.includes("#")) return undefined;
  const [klass, method] = target.split("#");
  const bare = `${klass.replace(/Reflex$/, "")}#${method}`;
  return [target, bare, `${klass.replace(/Reflex$/, "")}Reflex#${method}`].find((name) => Object.hasOwn(reflexes, name));
}

/** CableReady's dispatch_event from NothingBroadcaster passes `selector: nil`, which goes out as null. */
const asStimulusReflexSends = (op: Operation): Operation =>
  op.operation === "dispatchEvent" && op.name === "stimulus-reflex:morph-nothing" ? { ...op, selector: null } as unknown as Operation : op;

class WorkerPool {
  private readonly jobs: Array<() => Promise<void>> = [];
  private busy = 0;
  constructor(private readonly size: number, private readonly delay: () => number) {}

  push(job: () => Promise<void>): void {
    this.jobs.push(job);
    this.next();
  }

  private next(): void {
    while (this.busy < this.size && this.jobs.length > 0) {
      const job = this.jobs.shift() as () => Promise<void>;
      this.busy++;
      // A thread picks the job up after a scheduling delay of its own: jobs taken together may start in any order.
      setTimeout(() => void job().finally(() => {
        this.busy--;
        this.next();
      }), this.delay());
    }
  }
}

export async function startStimulusReflexFake(options: FakeOptions): Promise<StimulusReflexFake> {
  const { reflexes, workers = 4, jitter = 40, seed = 1, pingInterval = 3000 } = options;
  const { arrived, ran, unanswered } = options.log ?? emptyLog();
  const http: Server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, path: "/cable", handleProtocols: (p) => (p.has(SUBPROTOCOL) ? SUBPROTOCOL : false) });
  let connections = 0;

  wss.on("connection", (socket: WebSocket) => {
    const connectionId = ++connections;
    const random = prng(seed);
    const pool = new WorkerPool(workers, () => Math.floor(random() * jitter));
    const send = (frame: unknown) => socket.readyState === socket.OPEN && socket.send(JSON.stringify(frame));
    send({ type: "welcome" });
    const beat = setInterval(() => send({ type: "ping", message: Math.floor(Date.now() / 1000) }), pingInterval);
    socket.on("close", () => clearInterval(beat));
    socket.on("message", (raw) => {
      const frame = JSON.parse(String(raw)) as { command: string; identifier: string; data?: string };
      if (frame.command === "subscribe") return send({ identifier: frame.identifier, type: "confirm_subscription" });
      if (frame.command !== "message" || typeof frame.data !== "string") return;
      const data = JSON.parse(frame.data) as Record<string, unknown> & { id: string; target: string; args?: unknown[] };
      arrived.push(data.id);
      pool.push(async () => {
        const name = handlerFor(reflexes, data.target);
        if (name === undefined) return void unanswered.push(data.id);
        ran.push({ id: data.id, target: data.target });
        let result: { operations?: Operation[]; error?: string };
        try {
          const args = data.args ?? [];
          const context: ReflexContext = {
            target: data.target, args, id: data.id, payload: { ...data, args }, identity: undefined, connectionId,
            clientId: undefined, seq: undefined, clientKey: undefined,
          };
          result = { operations: (await reflexes[name](context)) ?? [] };
        } catch (error) {
          result = { error: error instanceof Error ? error.message : String(error) };
        }
        const operations = plainOperations(data, data.id, result).map(asStimulusReflexSends);
        send({ identifier: frame.identifier, message: envelope(operations) });
      });
    });
  });

  await new Promise<void>((resolve) => http.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}/cable`,
    arrived,
    ran,
    unanswered,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
