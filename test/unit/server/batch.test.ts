// @vitest-environment node
// Batched acknowledgements at the reference server (PROTOCOL.md §3), read back through the client's own
// validator, over real sockets.
import { describe, expect, it } from "vitest";
import { createServer, morph } from "../../../src/server";
import { classifyMessage, ProtocolError } from "../../../src/protocol/validate";
import type { CourierAck } from "../../../src/protocol/types";
import { CHANNEL, TestClient, stamped, until, closedAfterEach, type Frame } from "./client";

const { servers, clients } = closedAfterEach();
const N = 12;

async function setup(batch: boolean, first?: object) {
  const runs: number[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const server = createServer({
    reflexes: {
      // Seq 1 waits until the test has sent every reflex, so the rest are processed in one tick.
      "Counter#increment": async ({ seq }) => {
        runs.push(seq ?? 0);
        if (seq === 1) await gate;
        return [morph("#count", String(runs.length))];
      },
    },
  });
  servers.push(server);
  await server.listen();
  const client = await TestClient.open(server.cableUrl);
  clients.push(client);
  const params = { channel: CHANNEL, courier: 1, clientId: "c", ...(batch ? { courierAcks: "batch" } : {}) };
  const { identifier } = await client.subscribe(params);
  if (first) client.perform(identifier, first); // in the same burst, so its answer shares a tick with the acks
  for (let seq = 1; seq <= N; seq++) client.perform(identifier, stamped("Counter#increment", "c", seq));
  return { server, client, identifier, runs, release };
}

/** Every ack the client reads from the frames so far, batches expanded by the client's validator. */
function readAcks(frames: Frame[]): CourierAck[] {
  return frames.flatMap((f) => {
    if (typeof f.message !== "object" || f.message === null || !("courier" in f.message)) return [];
    const read = classifyMessage(f.message);
    if (read instanceof ProtocolError) throw read;
    return read.kind === "batch" ? read.acks : read.kind === "ack" ? [read.ack] : [];
  });
}

describe("batched acks", () => {
  it("go out as one message per tick with the received acks as a run, and expand to exactly one received and one committed per seq", async () => {
    const { server, client, runs, release } = await setup(true);
    await until(() => server.stats.handlerRuns["Counter#increment"] === 1, "seq 1 running");
    // The rest arrive while seq 1 runs; wait until the server holds them all.
    await until(() => readAcks(client.frames).length === 1, "received of seq 1");
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await until(() => readAcks(client.frames).filter((a) => a.ack === "committed").length === N, "every commit");
    const acks = readAcks(client.frames);
    for (let seq = 1; seq <= N; seq++) {
      expect(acks.filter((a) => a.seq === seq).map((a) => a.ack), `seq ${seq}`).toEqual(["received", "committed"]);
    }
    expect(runs).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    const batches = client.frames.filter((f) => (f.message as { courier?: { batch?: unknown } })?.courier?.batch);
    expect(batches.length).toBeGreaterThan(0);
    expect(JSON.stringify(batches)).toContain('"through"');
    // Far fewer messages than two per reflex.
    expect(client.frames.filter((f) => f.message !== undefined).length).toBeLessThan(N);
  });

  it("are not sent to a subscription that did not ask: one message per ack, as before", async () => {
    const { client, release } = await setup(false);
    release();
    await until(() => client.acks().filter((a) => a.ack === "committed").length === N, "every commit");
    expect(client.frames.some((f) => JSON.stringify(f).includes('"batch"'))).toBe(false);
    expect(client.acks()).toHaveLength(2 * N);
  });

  it("never overtake a later message of the same connection (a broadcast goes after the acks made before it)", async () => {
    const { server, client, release } = await setup(true);
    release();
    await until(() => server.stats.committed === N, "every commit at the server");
    server.broadcast([morph("#count", "broadcast")]);
    await client.waitFor((f) => (f.message as { cableReady?: boolean })?.cableReady === true, "the broadcast");
    const broadcastAt = client.frames.findIndex((f) => (f.message as { cableReady?: boolean })?.cableReady === true);
    const acks = readAcks(client.frames.slice(0, broadcastAt));
    expect(acks.filter((a) => a.ack === "committed")).toHaveLength(N);
  });

  it("send the refusal of a malformed stamp alone: its seq (0) fails the client's check, which would cost a batch's good acks", async () => {
    const { client, release } = await setup(true, { ...stamped("Counter#increment", "c", 1), id: "bad", courier: { v: 1, clientId: "c", seq: "x" } });
    release();
    await until(() => readAcks(client.frames.filter((f) => !isRefusal(f))).filter((a) => a.ack === "committed").length === N, "every commit");
    const refusals = client.frames.filter(isRefusal);
    expect(refusals).toHaveLength(1);
    expect((refusals[0].message as { courier: { batch?: unknown; ack?: string } }).courier).toMatchObject({ ack: "failed", seq: 0 });
  });
});

/** A frame that carries the server's answer to the malformed stamp (seq "x" is read as 0). */
const isRefusal = (f: Frame) => JSON.stringify(f.message ?? null).includes('"seq":0');
