// The transport against a real WebSocket server speaking ActionCable's protocol on 127.0.0.1, through
// happy-dom's real WebSocket client (itself built on `ws`). Real timers; every wait is on a condition.
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { adapters } from "@rails/actioncable";
import { afterEach, beforeEach, expect, test } from "vitest";
import { WebSocketServer, type WebSocket as ServerSocket } from "ws";
import { Transport } from "../../../src/transport";
import { identifier, makeTransport } from "./harness";

interface Client { ws: ServerSocket; req: IncomingMessage; ping: ReturnType<typeof setInterval> }

function cableServer(pingEvery: number) {
  const clients: Client[] = [];
  const wss = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    handleProtocols: (protocols) => (protocols.has("actioncable-v1-json") ? "actioncable-v1-json" : false),
  });
  wss.on("connection", (ws, req) => {
    const send = (frame: object | string) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
    const ping = setInterval(() => send({ type: "ping", message: Math.floor(Date.now() / 1000) }), pingEvery);
    clients.push({ ws, req, ping });
    ws.on("close", () => clearInterval(ping));
    ws.on("message", (raw) => {
      const command = JSON.parse(String(raw)) as { command: string; identifier: string; data?: string };
      if (command.command === "subscribe") send({ type: "confirm_subscription", identifier: command.identifier });
      if (command.command === "message") send({ identifier: command.identifier, message: { echo: JSON.parse(command.data!) } });
    });
    send({ type: "welcome" });
  });
  const ready = new Promise<void>((resolve) => wss.on("listening", () => resolve()));
  return {
    clients,
    ready,
    get url() {
      return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/cable`;
    },
    /** Like SIGSTOP: no more pings, and the close frame is never read, so the closing handshake hangs. */
    freeze(client: Client) {
      clearInterval(client.ping);
      client.req.socket.pause();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.req.socket.destroy();
        wss.close(() => resolve());
      }),
  };
}

async function until(what: string, condition: () => boolean, limit = 10_000): Promise<void> {
  const deadline = Date.now() + limit;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let server: ReturnType<typeof cableServer>;
let transport: Transport | undefined;
const original = adapters.WebSocket;
beforeEach(async () => {
  server = cableServer(100);
  await server.ready;
  adapters.WebSocket = window.WebSocket as unknown as typeof WebSocket; // happy-dom's real client
});
afterEach(async () => {
  transport?.stop();
  adapters.WebSocket = original;
  await server.close();
});

test("subscribes, sends, receives, and survives a malformed frame against a real server", async () => {
  const made = makeTransport({ url: server.url, staleAfter: 1000 });
  transport = made.transport;
  transport.start();
  await until("connected", () => made.transport.state === "connected");
  expect(made.record.events).toEqual(["state:connected", "subscribed"]);
  expect(transport.send({ target: "Counter#increment" })).toBe(true);
  await until("the echo", () => made.record.received.length === 1);
  expect(made.record.received[0]).toEqual({ echo: { target: "Counter#increment" } });

  server.clients[0]!.ws.send("this is not json");
  server.clients[0]!.ws.send(JSON.stringify({ identifier, message: { after: "garbage" } }));
  await until("the message after the garbage", () => made.record.received.length === 2);
  expect(made.record.errors.map((e) => e.raw)).toEqual(["this is not json"]);
  expect(transport.state).toBe("connected");
  expect(server.clients).toHaveLength(1);
});

test("notices a frozen server within staleAfter and reconnects", async () => {
  const made = makeTransport({ url: server.url, staleAfter: 600, reconnectBase: 20, reconnectMax: 200 });
  transport = made.transport;
  transport.start();
  await until("connected", () => made.transport.state === "connected");
  server.freeze(server.clients[0]!);
  const frozenAt = Date.now();
  await until("disconnected", () => made.transport.state === "disconnected");
  // Pings came every 100 ms until the freeze (allow a loaded event loop 100 ms more); nothing closed the
  // socket but the client's own staleness check.
  const noticedAfter = Date.now() - frozenAt;
  expect(noticedAfter).toBeGreaterThanOrEqual(600 - 200);
  expect(noticedAfter).toBeLessThan(600 + 900);
  await until("connected again", () => made.transport.state === "connected");
  expect(server.clients).toHaveLength(2);
  expect(transport.send({ again: true })).toBe(true);
  await until("the echo on the new socket", () => made.record.received.length === 1);
});

test("reconnects fast after the server drops the socket", async () => {
  const made = makeTransport({ url: server.url, reconnectBase: 20, reconnectMax: 200 });
  transport = made.transport;
  transport.start();
  await until("connected", () => made.transport.state === "connected");
  server.clients[0]!.ws.terminate();
  await until("disconnected", () => made.transport.state === "disconnected");
  const droppedAt = Date.now();
  await until("connected again", () => made.transport.state === "connected");
  expect(Date.now() - droppedAt).toBeLessThan(1000);
  expect(made.record.events).toEqual([
    "state:connected",
    "subscribed",
    "unsubscribed",
    "state:disconnected",
    "state:connected",
    "subscribed",
  ]);
});
