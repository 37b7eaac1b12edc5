// @vitest-environment node
// An unexpected error is never an answer (PROTOCOL.md §4): the server sends nothing for the reflex and
// closes the socket with 1011, so the client sends it again after reconnecting.
import { describe, expect, it } from "vitest";
import { createServer, MemoryStore, type CourierStore } from "../../../src/server";
import { CHANNEL, TestClient, stamped, closedAfterEach } from "./client";

const { servers, clients } = closedAfterEach();

type Faults = { lastSeq?: () => number; result?: () => unknown; commit?: () => void };

/** A MemoryStore whose calls can be made to throw (synchronously, as a careless implementation might). */
function faultyStore(faults: Faults): CourierStore {
  const inner = new MemoryStore();
  return {
    lastSeq: (key) => (faults.lastSeq ? Promise.resolve(faults.lastSeq()) : inner.lastSeq(key)),
    result: (key, seq) => (faults.result ? Promise.resolve(faults.result() as undefined) : inner.result(key, seq)),
    commit: (key, seq, result) => {
      faults.commit?.();
      return inner.commit(key, seq, result);
    },
  };
}

async function setup(faults: Faults) {
  let runs = 0;
  const server = createServer({ store: faultyStore(faults), reflexes: { "Counter#increment": () => (runs++, []) } });
  servers.push(server);
  await server.listen();
  const client = await TestClient.open(server.cableUrl);
  clients.push(client);
  const { identifier, type } = await client.subscribe({ channel: CHANNEL, courier: 1, clientId: "c" });
  expect(type).toBe("confirm_subscription");
  return { client, identifier, runs: () => runs };
}

const fail = (): never => {
  throw new Error("db down");
};

describe("unexpected errors close the socket with 1011", () => {
  it("when commit throws synchronously after received", async () => {
    const { client, identifier, runs } = await setup({ commit: fail });
    client.perform(identifier, stamped("Counter#increment", "c", 1));
    expect((await client.closed).code).toBe(1011);
    expect(client.acks().map((a) => a.ack)).toEqual(["received"]);
    expect(runs()).toBe(1);
  });

  it("when committing a tombstone fails", async () => {
    const { client, identifier } = await setup({ commit: fail });
    client.perform(identifier, { id: "t", target: "Counter#increment", courier: { v: 1, clientId: "c", seq: 1, void: true } });
    expect((await client.closed).code).toBe(1011);
    expect(client.acks().filter((a) => a.ack !== "received")).toEqual([]);
  });

  it("when the stored result of a duplicate cannot be read, or is not a result", async () => {
    const faults: Faults = {};
    const { client, identifier } = await setup(faults);
    const payload = stamped("Counter#increment", "c", 1);
    client.perform(identifier, payload);
    await client.waitForAck((a) => a.ack === "committed");
    faults.result = () => ({ id: payload.id, operations: "not a list" });
    client.perform(identifier, payload);
    expect((await client.closed).code).toBe(1011);
    expect(client.acks().map((a) => a.ack)).toEqual(["received", "committed"]);
  });

  it("when lastSeq fails while the reflex waits its turn", async () => {
    const faults: Faults = {};
    const { client, identifier, runs } = await setup(faults);
    faults.lastSeq = fail;
    client.perform(identifier, stamped("Counter#increment", "c", 1));
    expect((await client.closed).code).toBe(1011);
    expect(client.acks()).toEqual([]);
    expect(runs()).toBe(0);
  });

  it("when lastSeq fails for the hello, instead of rejecting the subscription for good", async () => {
    const server = createServer({ store: faultyStore({ lastSeq: fail }) });
    servers.push(server);
    await server.listen();
    const client = await TestClient.open(server.cableUrl);
    clients.push(client);
    client.send({ command: "subscribe", identifier: JSON.stringify({ channel: CHANNEL, courier: 1, clientId: "c" }) });
    expect((await client.closed).code).toBe(1011);
    expect(client.frames.map((f) => f.type)).toEqual(["welcome"]);
  });
});
