// @vitest-environment node
// One anonymous socket flooding stamped reflexes with seqs far ahead (issue 10, item 7): the server must
// neither crash (Math.min over the held list overflowed the stack at 300k) nor hold them without bound,
// and another client's reflex must still run.
import { WebSocket } from "ws";
import { describe, expect, it } from "vitest";
import { createServer, morph } from "../../../src/server";
import { CHANNEL, PROTOCOLS, TestClient, closedAfterEach, stamped } from "./client";

const { servers, clients } = closedAfterEach();
const FLOOD = 300_000;

describe("a flood of seqs far ahead", () => {
  it("holds at most maxHeld, answers the rest with gap, and still runs another client's reflex", { timeout: 180_000 }, async () => {
    let runs = 0;
    const server = createServer({ reflexes: { "Counter#increment": () => (runs++, [morph("#n", String(runs))]) }, maxHeld: 64, gapWait: 60_000 });
    servers.push(server);
    await server.listen();

    const identifier = JSON.stringify({ channel: CHANNEL, courier: 1, clientId: "flood" });
    const ws = new WebSocket(server.cableUrl, PROTOCOLS);
    let gaps = 0;
    let frames = 0;
    ws.on("message", (data) => {
      frames++;
      if (String(data).includes('"ack":"gap"')) gaps++;
    });
    await new Promise<void>((resolve, reject) => {
      ws.once("error", reject);
      ws.on("message", (data) => {
        if (String(data).includes("confirm_subscription")) resolve();
      });
      ws.once("open", () => ws.send(JSON.stringify({ command: "subscribe", identifier })));
    });
    // Seqs 1000… are all ahead of the store (last 0): none may run, none may be held past maxHeld.
    for (let i = 0; i < FLOOD; i++) {
      const data = JSON.stringify({ target: "Counter#increment", args: [], id: `f${i}`, courier: { v: 1, clientId: "flood", seq: 1000 + i } });
      ws.send(JSON.stringify({ command: "message", identifier, data }));
    }

    const other = await TestClient.open(server.cableUrl);
    clients.push(other);
    const sub = await other.subscribe({ channel: CHANNEL, courier: 1, clientId: "calm" });
    other.perform(sub.identifier, stamped("Counter#increment", "calm", 1));
    const committed = await other.waitForAck((a) => a.ack === "committed", "the other client's commit", 120_000);
    expect(committed.operations).toHaveLength(1);

    // Every flooded frame is accounted for: held (bounded), answered gap, or dropped as invalid.
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 120_000;
      const check = () => {
        if (server.held + server.stats.gaps + server.stats.invalid >= FLOOD) return resolve();
        if (Date.now() > deadline) return reject(new Error(`accounted ${server.held + server.stats.gaps + server.stats.invalid} of ${FLOOD}`));
        setTimeout(check, 50);
      };
      check();
    });
    expect(server.held).toBeLessThanOrEqual(64);
    expect(runs).toBe(1); // only the other client's reflex ran
    expect(server.connectionCount).toBe(2); // the flooding socket was not crashed or dropped either
    await new Promise<void>((resolve) => {
      const check = () => (gaps >= server.stats.gaps ? resolve() : setTimeout(check, 50));
      check();
    });
    expect(gaps).toBe(server.stats.gaps);
    expect(frames).toBeGreaterThan(0);
    ws.terminate();
  });
});
