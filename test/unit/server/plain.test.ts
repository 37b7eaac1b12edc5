// @vitest-environment node
// Reflexes without the extension are answered as an unmodified StimulusReflex 3.5.5 server answers them.
import { stimulusReflexFrames } from "../../support/fixtures";
import { describe, expect, it } from "vitest";
import type { Operation } from "../../../src/protocol/types";
import { addCssClass, createServer, morph, type ServerOptions } from "../../../src/server";
import { CHANNEL, TestClient, reflex, stamped, closedAfterEach } from "./client";

const { servers, clients } = closedAfterEach();

const reflexes: ServerOptions["reflexes"] = {
  "CounterReflex#increment": () => [morph("#count", "1")],
  "CounterReflex#side": () => [addCssClass("#x", "on")],
  "CounterReflex#nothing": () => [],
  "CounterReflex#raise": () => {
    throw new Error("nope");
  },
};

async function setup(options: ServerOptions, params: Record<string, unknown>) {
  const server = createServer({ reflexes, ...options });
  servers.push(server);
  await server.listen();
  const client = await TestClient.open(server.cableUrl);
  clients.push(client);
  const { identifier } = await client.subscribe(params);
  return { server, client, identifier };
}

async function answer(client: TestClient, identifier: string, payload: Record<string, unknown>): Promise<Operation[]> {
  const before = client.envelopes().length;
  client.perform(identifier, payload);
  await client.waitFor((f) => (f.message as { cableReady?: boolean })?.cableReady === true, "envelope", 5000, before);
  const envelope = client.envelopes()[before];
  expect(envelope).toMatchObject({ cableReady: true, version: "5.0.6" });
  return envelope.operations;
}

describe("plain StimulusReflex answers", () => {
  it("matches the real StimulusReflex 3.5.5 frame for a selector morph", async () => {
    const fixture = stimulusReflexFrames<Record<string, unknown>>();
    const [sent, received] = fixture.selector_morph as Array<{ frame: { data: string; message: { operations: Operation[] } } }>;
    const { client, identifier } = await setup({}, { channel: CHANNEL });
    const [op] = await answer(client, identifier, JSON.parse(sent.frame.data));
    expect(op).toEqual(received.frame.message.operations[0]);
  });

  it("finds a handler whether the markup names the class Counter or CounterReflex, as StimulusReflex does", async () => {
    const { client, identifier, server } = await setup({}, { channel: CHANNEL });
    const ops = await answer(client, identifier, reflex("Counter#increment"));
    expect(ops[0]).toMatchObject({ operation: "morph", selector: "#count" });
    expect(server.stats.handlerRuns).toEqual({ "CounterReflex#increment": 1 });
    const missing = await answer(client, identifier, reflex("Counter#absent"));
    expect(missing[0]).toMatchObject({ operation: "dispatchEvent", name: "stimulus-reflex:morph-error" });
  });

  it("sends no hello and no acks with extension: false, even for stamped reflexes", async () => {
    const { client, identifier, server } = await setup({ extension: false }, { channel: CHANNEL, courier: 1, clientId: "c1" });
    const payload = stamped("CounterReflex#increment", "c1", 1);
    const ops = await answer(client, identifier, payload);
    expect(ops).toMatchObject([{ operation: "morph", selector: "#count", html: "1", reflexId: payload.id }]);
    client.perform(identifier, payload); // a plain server has no dedup: it runs again
    await client.waitFor((f) => (f.message as { cableReady?: boolean })?.cableReady === true, "second", 5000, 1);
    expect(client.hellos()).toEqual([]);
    expect(client.acks()).toEqual([]);
    expect(server.stats.handlerRuns["CounterReflex#increment"]).toBe(2);
    expect(server.stats.plain).toBe(2);
  });

  it("answers an unstamped reflex plainly on an extension server", async () => {
    const { client, identifier } = await setup({}, { channel: CHANNEL, courier: 1, clientId: "c1" });
    const payload = reflex("CounterReflex#increment");
    expect(await answer(client, identifier, payload)).toHaveLength(1);
    expect(client.acks()).toEqual([]);
  });

  it("reports errors, unknown targets and 'nothing' as morph-* dispatchEvent operations carrying reflexId", async () => {
    const { client, identifier } = await setup({}, { channel: CHANNEL });
    const raise = reflex("CounterReflex#raise");
    expect(await answer(client, identifier, raise)).toEqual([
      expect.objectContaining({ operation: "dispatchEvent", name: "stimulus-reflex:morph-error", error: "nope", reflexId: raise.id, stimulusReflex: expect.objectContaining({ id: raise.id, morph: "error" }) }),
    ]);
    const unknown = reflex("Nobody#home");
    expect(await answer(client, identifier, unknown)).toMatchObject([{ name: "stimulus-reflex:morph-error", error: "unknown reflex Nobody#home", reflexId: unknown.id }]);
    const nothing = reflex("CounterReflex#nothing");
    expect(await answer(client, identifier, nothing)).toMatchObject([{ operation: "dispatchEvent", name: "stimulus-reflex:morph-nothing", reflexId: nothing.id }]);
    const side = reflex("CounterReflex#side");
    const ops = await answer(client, identifier, side);
    expect(ops.map((o) => [o.operation, o.reflexId])).toEqual([["addCssClass", side.id], ["dispatchEvent", side.id]]);
    expect(ops[0].stimulusReflex).toBeUndefined(); // piggyback, as StimulusReflex sends non-morph operations
  });
});

describe("broadcast", () => {
  it("sends one CableReady envelope to every reflex-channel subscription only", async () => {
    const { server, client, identifier } = await setup({}, { channel: CHANNEL });
    const other = await TestClient.open(server.cableUrl);
    clients.push(other);
    await other.subscribe({ channel: CHANNEL, courier: 1, clientId: "c2" });
    await other.subscribe({ channel: "Unknown" });
    const bystander = await TestClient.open(server.cableUrl); // connected, not subscribed
    clients.push(bystander);
    await bystander.waitFor((f) => f.type === "welcome");
    expect(server.broadcast([morph("#news", "hot")])).toBe(2);
    for (const c of [client, other]) {
      await c.waitFor((f) => (f.message as { cableReady?: boolean })?.cableReady === true, "broadcast");
    }
    expect(client.frames.at(-1)).toEqual({
      identifier,
      message: { cableReady: true, version: "5.0.6", operations: [{ operation: "morph", selector: "#news", html: "hot", childrenOnly: true, permanentAttributeName: "data-reflex-permanent" }] },
    });
    expect(bystander.envelopes()).toEqual([]);
  });
});
