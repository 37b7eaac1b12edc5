// @vitest-environment node
// The four-worker StimulusReflex fake of the browser tests (test/support/sr-fake.ts) against the real
// thing: its frames must equal the recorded StimulusReflex 3.5.5 frames, or the browser tests that use
// it would prove things about a server that does not exist.
import { afterEach, describe, expect, it } from "vitest";
import type { Operation } from "../../../src/protocol/types";
import { morph } from "../../../src/server";
import { stimulusReflexFrames } from "../../support/fixtures";
import { startStimulusReflexFake, type FakeOptions, type StimulusReflexFake } from "../../support/sr-fake";
import { TestClient, until, type Frame } from "./client";

interface Recorded {
  dir: "server->client" | "client->server";
  frame: Frame & { data?: string; message?: { cableReady: true; operations: Operation[]; version: string } };
}
const fixture = stimulusReflexFrames<Record<"handshake" | "selector_morph" | "page_morph", Recorded[]>>();
const [welcome, subscribe, confirm] = fixture.handshake;
const [sentMorph, answeredMorph] = fixture.selector_morph;
const identifier = subscribe.frame.identifier as string;
const recordedPayload = JSON.parse(sentMorph.frame.data as string) as Record<string, unknown>;

let fake: StimulusReflexFake | undefined;
let client: TestClient | undefined;
afterEach(async () => {
  await client?.close();
  await fake?.close();
  client = fake = undefined;
});

async function connect(options: Partial<FakeOptions> = {}): Promise<{ fake: StimulusReflexFake; client: TestClient }> {
  fake = await startStimulusReflexFake({
    reflexes: { "CounterReflex#increment": () => [morph("#count", "1")], "CounterReflex#page_increment": () => [] },
    ...options,
  });
  client = await TestClient.open(fake.url);
  await client.waitFor((f) => f.type === "welcome", "welcome");
  client.send(subscribe.frame);
  await client.waitFor((f) => f.type === "confirm_subscription", "confirm");
  return { fake, client };
}

const answersTo = (c: TestClient, id: string) =>
  c.envelopes().filter((e) => e.operations.some((op) => op.reflexId === id));

describe("the StimulusReflex fake speaks as the recorded StimulusReflex 3.5.5 server", () => {
  it("welcome and confirm_subscription are the recorded frames", async () => {
    const { client } = await connect();
    expect(client.frames[0]).toEqual(welcome.frame);
    expect(client.frames.find((f) => f.type === "confirm_subscription")).toEqual(confirm.frame);
  });

  it("a selector morph is answered with the recorded envelope, frame for frame", async () => {
    const { client } = await connect();
    client.send(sentMorph.frame);
    const answer = await client.waitFor((f) => (f.message as { cableReady?: boolean })?.cableReady === true, "envelope");
    expect(answer).toEqual(answeredMorph.frame);
  });

  it("a reflex that morphs nothing gets the morph-nothing dispatchEvent, in the recorded envelope and echo", async () => {
    const [sent] = fixture.page_morph; // a reflex the fake registers to morph nothing
    const recorded = (fixture.page_morph[1].frame.message as { operations: Operation[]; version: string });
    const { client } = await connect();
    client.send(sent.frame);
    const id = (JSON.parse(sent.frame.data as string) as { id: string }).id;
    await until(() => answersTo(client, id).length === 1, "the answer");
    const [envelope] = answersTo(client, id);
    // CableReady's NothingBroadcaster: dispatch_event(name:, selector: nil, payload:, stimulus_reflex: data.merge(morph: :nothing)).
    const echo = { ...(recorded.operations[0].stimulusReflex as Record<string, unknown>), morph: "nothing" };
    expect(envelope).toEqual({
      cableReady: true,
      version: recorded.version,
      operations: [{ name: "stimulus-reflex:morph-nothing", selector: null, payload: {}, stimulusReflex: echo, reflexId: id, operation: "dispatchEvent" }],
    });
  });

  it("pings as ActionCable's beat: {type: ping, message: unix seconds}", async () => {
    // The fixture leaves pings out; ActionCable 6.1's Connection#beat sends `type: :ping, message: Time.now.to_i`.
    const { client } = await connect({ pingInterval: 20 });
    const ping = await client.waitFor((f) => f.type === "ping", "ping");
    expect(Object.keys(ping).sort()).toEqual(["message", "type"]);
    expect(Number.isInteger(ping.message)).toBe(true);
    expect(Math.abs((ping.message as number) - Date.now() / 1000)).toBeLessThan(5);
  });

  it("answers nothing at all for an unknown target, as StimulusReflex's ReflexFactory raises before a reflex exists", async () => {
    const { client, fake } = await connect({ workers: 1 });
    const data = (id: string, target: string) => ({ ...recordedPayload, id, target });
    client.perform(identifier, data("ghost-1", "CounterReflex#vanish"));
    client.perform(identifier, data("ghost-2", "NoSuchReflex#run"));
    client.perform(identifier, data("after", "CounterReflex#increment"));
    await until(() => answersTo(client, "after").length === 1, "the next reflex's answer");
    expect(fake.unanswered).toEqual(["ghost-1", "ghost-2"]);
    expect(client.envelopes()).toHaveLength(1);
  });

  it("runs one connection's burst on four workers: the run order is not the arrival order", async () => {
    const { client, fake } = await connect({ seed: 7 });
    const ids = Array.from({ length: 12 }, (_, i) => `burst-${i + 1}`);
    for (const id of ids) client.perform(identifier, { ...recordedPayload, id });
    await until(() => client.envelopes().length === ids.length, "every answer");
    expect(fake.arrived).toEqual(ids);
    expect(fake.ran.map((r) => r.id)).not.toEqual(ids);
    expect([...fake.ran.map((r) => r.id)].sort()).toEqual([...ids].sort());
  });
});
