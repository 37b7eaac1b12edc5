// @vitest-environment node
// The stock @rails/actioncable client, unmodified, against the reference server.
import { adapters, createConsumer, type Consumer } from "@rails/actioncable";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { CourierAck, CourierHello } from "../../../src/protocol/types";
import { createServer, textContent, type CourierServer } from "../../../src/server";
import { until } from "./client";

let server: CourierServer;
let consumer: Consumer;
const globals = globalThis as unknown as { addEventListener?: unknown; removeEventListener?: unknown };
const hadListeners = "addEventListener" in globalThis;

beforeAll(async () => {
  // ActionCable's ConnectionMonitor listens for `visibilitychange` on the global; Node has no such global.
  if (!hadListeners) {
    globals.addEventListener = () => undefined;
    globals.removeEventListener = () => undefined;
  }
  adapters.WebSocket = WebSocket as unknown as typeof adapters.WebSocket;
  adapters.logger = console;
  server = createServer({ reflexes: { "Counter#increment": () => [textContent("#count", "1")] } });
  await server.listen();
  consumer = createConsumer(server.cableUrl);
});

afterAll(async () => {
  consumer.disconnect();
  await server.close();
  if (!hadListeners) {
    delete globals.addEventListener;
    delete globals.removeEventListener;
  }
});

describe("stock @rails/actioncable client", () => {
  it("connects, gets the hello, receives broadcasts and reflex acks", async () => {
    const received: unknown[] = [];
    let connected = false;
    const subscription = consumer.subscriptions.create(
      { channel: "StimulusReflex::Channel", courier: 1, clientId: "node-tab" },
      {
        connected: () => void (connected = true),
        received: (data: unknown) => void received.push(data),
      },
    );
    await until(() => connected, "connected callback");
    const hello = received.find((d) => (d as { courier?: CourierHello }).courier?.hello) as { courier: CourierHello };
    expect(hello.courier.committed).toEqual({ "node-tab": 0 });

    expect(server.broadcast([textContent("#news", "hot")])).toBe(1);
    await until(() => received.some((d) => (d as { cableReady?: boolean }).cableReady), "broadcast");

    expect(subscription.send({ target: "Counter#increment", id: "r1", args: [], courier: { v: 1, clientId: "node-tab", seq: 1 } })).toBe(true);
    const acks = () => received.map((d) => (d as { courier?: CourierAck }).courier).filter((c) => c?.ack);
    await until(() => acks().some((a) => a?.ack === "committed"), "committed");
    expect(acks().map((a) => a?.ack)).toEqual(["received", "committed"]);
    expect(acks()[1]?.operations).toEqual([{ operation: "textContent", selector: "#count", text: "1", reflexId: "r1" }]);
  });

  it("is rejected from an unknown channel", async () => {
    let rejected = false;
    consumer.subscriptions.create({ channel: "NoSuchChannel" }, { rejected: () => void (rejected = true) });
    await until(() => rejected, "rejected callback");
  });
});
