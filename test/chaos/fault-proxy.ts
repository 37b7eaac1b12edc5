// A TCP proxy on 127.0.0.1 between the pages and the reference server's cable. It forwards bytes
// unchanged, except when a cut is armed: then it watches the server's ActionCable frames and drops the
// connection right after a `received` ack reached the page, or right before a `committed` ack would.
import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { ServerFrames } from "./ws-frames";

export type CutKind = "after-received" | "before-committed" | "after-received-through";

interface Armed {
  kind: CutKind;
  done: (cut: boolean) => void;
}

export interface FaultProxy {
  readonly port: number;
  /** Arms one cut; resolves true once a connection was cut that way, false if none matched in `within` ms. */
  cut(kind: CutKind, within: number): Promise<boolean>;
  close(): Promise<void>;
}

// after-received-through: a batch whose `received` covers a run of seqs (PROTOCOL.md §3).
const ACK = { "after-received": '"ack":"received"', "before-committed": '"ack":"committed"', "after-received-through": '"through":' } as const;

export async function startFaultProxy(upstreamPort: () => number): Promise<FaultProxy> {
  let armed: Armed | undefined;
  const sockets = new Set<Socket>();

  const pipe = (client: Socket) => {
    const upstream = connect(upstreamPort(), "127.0.0.1");
    const frames = new ServerFrames();
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => undefined);
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk) => {
      for (const frame of frames.push(chunk)) {
        const hit = armed && frame.text.includes(ACK[armed.kind]) ? armed : undefined;
        if (!hit) {
          client.write(frame.bytes);
          continue;
        }
        armed = undefined;
        upstream.destroy();
        // after-received: the ack reaches the page, then the TCP connection ends (no close frame).
        if (hit.kind !== "before-committed") client.end(frame.bytes);
        else client.destroy();
        hit.done(true);
        return;
      }
    });
  };

  const server: Server = createServer(pipe);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    cut: (kind, within) =>
      new Promise<boolean>((resolve) => {
        armed?.done(false);
        const timer = setTimeout(() => {
          if (armed === entry) armed = undefined;
          resolve(false);
        }, within);
        const entry: Armed = { kind, done: (cut) => (clearTimeout(timer), resolve(cut)) };
        armed = entry;
      }),
    close: () =>
      new Promise<void>((resolve) => {
        armed?.done(false);
        armed = undefined;
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
