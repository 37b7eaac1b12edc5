// @vitest-environment node
// The server rules of PROTOCOL.md §4, over real sockets.
import { describe, expect, it } from "vitest";
import { clientKey, createServer, MemoryStore, morph, type ReflexEvent, type ServerOptions } from "../../../src/server";
import { CHANNEL, TestClient, stamped, until, closedAfterEach } from "./client";

const { servers, clients } = closedAfterEach();

/** A counter app: the effect (count) lives outside the store, as a real app's database row would. */
function counterApp(extra: ServerOptions = {}) {
  const app = { count: 0, order: [] as Array<number | undefined>, events: [] as ReflexEvent[] };
  const options: ServerOptions = {
    reflexes: {
      "Counter#increment": ({ seq }) => {
        app.order.push(seq);
        app.count++;
        return [morph("#count", String(app.count))];
      },
      "Boom#raise": () => {
        throw new Error("kaboom");
      },
      "Bad#returns": () => "nope" as never,
      "Bad#bigint": () => [{ operation: "setValue", selector: "#n", value: 1n }],
    },
    onReflex: (event) => app.events.push(event),
    ...extra,
  };
  return { app, options };
}

async function setup(extra: ServerOptions = {}, clientId = "client-1") {
  const { app, options } = counterApp(extra);
  const server = createServer(options);
  servers.push(server);
  await server.listen();
  const client = await TestClient.open(server.cableUrl);
  clients.push(client);
  const { identifier, type } = await client.subscribe({ channel: CHANNEL, courier: 1, clientId });
  expect(type).toBe("confirm_subscription");
  return { app, server, client, identifier };
}

describe("hello", () => {
  it("is sent before confirm_subscription and reports the identifier's last committed seq", async () => {
    const { server, client, identifier } = await setup();
    const helloAt = client.frames.findIndex((f) => (f.message as { courier?: { hello?: boolean } })?.courier?.hello);
    const confirmAt = client.frames.findIndex((f) => f.type === "confirm_subscription");
    expect(helloAt).toBeGreaterThan(-1);
    expect(helloAt).toBeLessThan(confirmAt);
    expect(client.hellos()).toEqual([{ v: 1, hello: true, committed: { "client-1": 0 } }]);

    client.perform(identifier, stamped("Counter#increment", "client-1", 1));
    client.perform(identifier, stamped("Counter#increment", "client-1", 2));
    await client.waitForAck((a) => a.seq === 2 && a.ack === "committed");
    const again = await TestClient.open(server.cableUrl);
    clients.push(again);
    await again.subscribe({ channel: CHANNEL, courier: 1, clientId: "client-1" });
    expect(again.hellos()).toEqual([{ v: 1, hello: true, committed: { "client-1": 2 } }]);
  });
});

describe("acknowledgements", () => {
  it("answers received at once, then committed with the operations, each carrying reflexId", async () => {
    const { server, client, identifier, app } = await setup();
    const payload = stamped("Counter#increment", "client-1", 1);
    client.perform(identifier, payload);
    const committed = await client.waitForAck((a) => a.ack === "committed");
    expect(client.acks(String(payload.id)).map((a) => a.ack)).toEqual(["received", "committed"]);
    expect(committed).toEqual({
      v: 1, ack: "committed", id: payload.id, clientId: "client-1", seq: 1,
      operations: [{ operation: "morph", selector: "#count", html: "1", childrenOnly: true, permanentAttributeName: "data-reflex-permanent", reflexId: payload.id }],
    });
    expect(server.stats.handlerRuns).toEqual({ "Counter#increment": 1 });
    expect(server.stats.committed).toBe(1);
    expect(await server.store.lastSeq(clientKey(undefined, "client-1"))).toBe(1);
    expect(app.events.map((e) => e.type)).toEqual(["received", "committed"]);
  });

  it("answers a duplicate seq from the store without running the handler again", async () => {
    const { server, client, identifier, app } = await setup();
    const payload = stamped("Counter#increment", "client-1", 1);
    client.perform(identifier, payload);
    const first = await client.waitForAck((a) => a.ack === "committed");
    client.perform(identifier, payload);
    await client.waitFor((f) => (f.message as { courier?: { ack?: string } })?.courier?.ack === "committed", "dup", 5000, 1);
    const commits = client.acks(String(payload.id)).filter((a) => a.ack === "committed");
    expect(commits).toHaveLength(2);
    expect(commits[1]).toEqual({ ...first, replay: true }); // from the store, and says so
    expect("replay" in first).toBe(false);
    expect(app.count).toBe(1);
    expect(server.stats.handlerRuns["Counter#increment"]).toBe(1);
    expect(server.stats.duplicates).toBe(1);
    expect(client.acks(String(payload.id)).filter((a) => a.ack === "received")).toHaveLength(1);
  });

  it("answers failed with the error when the handler raises, and the seq still advances", async () => {
    const { server, client, identifier } = await setup();
    const boom = stamped("Boom#raise", "client-1", 1);
    client.perform(identifier, boom);
    const failed = await client.waitForAck((a) => a.ack === "failed");
    expect(failed).toEqual({ v: 1, ack: "failed", id: boom.id, clientId: "client-1", seq: 1, error: "kaboom" });
    expect(await server.store.lastSeq(clientKey(undefined, "client-1"))).toBe(1);
    client.perform(identifier, stamped("Counter#increment", "client-1", 2));
    await client.waitForAck((a) => a.seq === 2 && a.ack === "committed");
    client.perform(identifier, boom); // a duplicate of a failed seq is failed again, not re-run
    await client.waitFor((f) => (f.message as { courier?: { ack?: string } })?.courier?.ack === "failed", "dup failed", 5000, 1);
    expect(server.stats.handlerRuns).toEqual({ "Boom#raise": 1, "Counter#increment": 1 });
    expect(server.stats.failed).toBe(1);
  });

  it("fails unknown targets, invalid targets and bad handler results, consuming their seqs", async () => {
    const { server, client, identifier } = await setup();
    client.perform(identifier, stamped("Nobody#home", "client-1", 1));
    client.perform(identifier, stamped("not a target", "client-1", 2));
    client.perform(identifier, stamped("Bad#returns", "client-1", 3));
    client.perform(identifier, stamped("Counter#increment", "client-1", 4, { args: "not-an-array" }));
    client.perform(identifier, stamped("Bad#bigint", "client-1", 5));
    await client.waitForAck((a) => a.seq === 5 && a.ack === "failed");
    const failures = client.acks().filter((a) => a.ack === "failed");
    expect(failures.map((a) => [a.seq, a.error])).toEqual([
      [1, "unknown reflex Nobody#home"],
      [2, 'invalid target "not a target"'],
      [3, "reflex handler returned something other than a list of operations"],
      [4, "args is not an array"],
      [5, "reflex handler returned operations that are not JSON: TypeError: Do not know how to serialize a BigInt"],
    ]);
    expect(await server.store.lastSeq(clientKey(undefined, "client-1"))).toBe(5);
    expect(server.connectionCount).toBe(1);
  });

  it("answers failed to a malformed stamp without touching the store", async () => {
    const { server, client, identifier } = await setup();
    client.perform(identifier, { target: "Counter#increment", id: "x1", args: [], courier: { v: 1, clientId: "client-1", seq: 1.5 } });
    client.perform(identifier, { target: "Counter#increment", id: "x2", args: [], courier: { v: 2, clientId: "client-1", seq: 1 } });
    await client.waitForAck((a) => a.id === "x2");
    expect(client.acks("x1")[0]).toMatchObject({ ack: "failed", clientId: "client-1", seq: 0, error: "courier stamp has no valid seq" });
    expect(client.acks("x2")[0]).toMatchObject({ ack: "failed", seq: 1, error: "unsupported courier version 2" });
    expect(await server.store.lastSeq(clientKey(undefined, "client-1"))).toBe(0);
    expect(server.stats.handlerRuns).toEqual({});
  });

  it("advances past a tombstone without running it and answers failed: expired", async () => {
    const { server, client, identifier, app } = await setup();
    const tombstone = { id: "t1", target: "Counter#increment", courier: { v: 1, clientId: "client-1", seq: 1, void: true } };
    client.perform(identifier, tombstone);
    const failed = await client.waitForAck((a) => a.id === "t1");
    expect(failed).toEqual({ v: 1, ack: "failed", id: "t1", clientId: "client-1", seq: 1, error: "expired" });
    expect(app.count).toBe(0);
    expect(await server.store.lastSeq(clientKey(undefined, "client-1"))).toBe(1);
    client.perform(identifier, stamped("Counter#increment", "client-1", 2));
    await client.waitForAck((a) => a.seq === 2 && a.ack === "committed");
  });
});

describe("ordering", () => {
  it("holds a reflex whose seq is ahead, then answers gap with the expected seq without running it", async () => {
    const { server, client, identifier, app } = await setup({ gapWait: 150 });
    const sentAt = Date.now();
    client.perform(identifier, stamped("Counter#increment", "client-1", 3));
    const gap = await client.waitForAck((a) => a.ack === "gap");
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(140);
    expect(gap).toMatchObject({ ack: "gap", seq: 3, clientId: "client-1", expected: 1 });
    expect(app.count).toBe(0);
    expect(server.stats.gaps).toBe(1);
    expect(client.acks().map((a) => a.ack)).toEqual(["gap"]);
  });

  it("puts reflexes that arrive out of order within gapWait back in order", async () => {
    const { server, client, identifier, app } = await setup({ gapWait: 3000 });
    client.perform(identifier, stamped("Counter#increment", "client-1", 3));
    client.perform(identifier, stamped("Counter#increment", "client-1", 2));
    client.perform(identifier, stamped("Counter#increment", "client-1", 1));
    await client.waitForAck((a) => a.seq === 3 && a.ack === "committed");
    expect(app.order).toEqual([1, 2, 3]);
    expect(client.acks().filter((a) => a.ack === "committed").map((a) => a.seq)).toEqual([1, 2, 3]);
    expect(server.stats.gaps).toBe(0);
  });

  it("runs one reflex at a time per clientId, but different clients side by side", async () => {
    const running = new Set<string>();
    let most = 0;
    const gates = new Map<string, () => void>();
    const { server, client, identifier } = await setup({
      reflexes: {
        "Slow#run": async ({ clientId, seq }) => {
          const key = `${clientId}:${seq}`;
          running.add(key);
          most = Math.max(most, running.size);
          await new Promise<void>((resolve) => gates.set(key, resolve));
          running.delete(key);
          return [{ operation: "textContent", selector: "#who", text: key }];
        },
      },
    });
    client.perform(identifier, stamped("Slow#run", "client-1", 1));
    client.perform(identifier, stamped("Slow#run", "client-1", 2));
    client.perform(identifier, stamped("Slow#run", "client-2", 1));
    await until(() => gates.size === 2, "two handlers running");
    expect([...running].sort()).toEqual(["client-1:1", "client-2:1"]);
    gates.get("client-2:1")!();
    await client.waitForAck((a) => a.clientId === "client-2" && a.ack === "committed");
    expect([...running]).toEqual(["client-1:1"]); // seq 2 waits for seq 1 even while nothing else runs
    gates.get("client-1:1")!();
    await until(() => running.has("client-1:2"), "seq 2 to start after seq 1");
    expect(running.size).toBe(1);
    gates.get("client-1:2")!();
    await client.waitForAck((a) => a.clientId === "client-1" && a.seq === 2 && a.ack === "committed");
    expect(most).toBe(2);
    expect(server.stats.handlerRuns["Slow#run"]).toBe(3);
  });
});

describe("a persistent store", () => {
  it("survives a server restart: a duplicate sent to the new server is not run again", async () => {
    const store = new MemoryStore();
    const first = await setup({ store });
    const payload = stamped("Counter#increment", "client-1", 1);
    first.client.perform(first.identifier, payload);
    const original = await first.client.waitForAck((a) => a.ack === "committed");
    await first.server.close();
    await first.client.closed;

    const second = await setup({ store });
    expect(second.client.hellos()[0].committed).toEqual({ "client-1": 1 });
    second.client.perform(second.identifier, payload);
    const replayed = await second.client.waitForAck((a) => a.ack === "committed");
    expect(replayed).toEqual({ ...original, replay: true });
    expect(second.app.count).toBe(0);
    expect(second.server.stats.handlerRuns).toEqual({});
    expect(second.server.stats.duplicates).toBe(1);
    second.client.perform(second.identifier, stamped("Counter#increment", "client-1", 2));
    await second.client.waitForAck((a) => a.seq === 2 && a.ack === "committed");
    expect(second.app.count).toBe(1);
  });

  it("closes the socket (1011) instead of acking when the store cannot commit, and runs it again once it can", async () => {
    const inner = new MemoryStore();
    let broken = true;
    const store = {
      lastSeq: (clientId: string) => inner.lastSeq(clientId),
      result: (clientId: string, seq: number) => inner.result(clientId, seq),
      commit: (clientId: string, seq: number, result: object) => (broken ? Promise.reject(new Error("db down")) : inner.commit(clientId, seq, result)),
    };
    const first = await setup({ store });
    const payload = stamped("Counter#increment", "client-1", 1);
    first.client.perform(first.identifier, payload);
    expect((await first.client.closed).code).toBe(1011);
    expect(first.client.acks().map((a) => a.ack)).toEqual(["received"]);
    broken = false;
    const again = await TestClient.open(first.server.cableUrl);
    clients.push(again);
    const { identifier } = await again.subscribe({ channel: CHANNEL, courier: 1, clientId: "client-1" });
    again.perform(identifier, payload);
    await again.waitForAck((a) => a.ack === "committed");
    expect(first.server.stats.handlerRuns["Counter#increment"]).toBe(2); // the failed commit did not count
  });

  it("answers a duplicate whose result was pruned with `pruned: true` and no operations", async () => {
    const { client, identifier } = await setup({ store: new MemoryStore({ keep: 1 }) });
    const one = stamped("Counter#increment", "client-1", 1);
    client.perform(identifier, one);
    client.perform(identifier, stamped("Counter#increment", "client-1", 2));
    await client.waitForAck((a) => a.seq === 2 && a.ack === "committed");
    client.perform(identifier, one);
    await client.waitFor((f) => (f.message as { courier?: { id?: string; ack?: string } })?.courier?.id === one.id, "dup", 5000, 2);
    const last = client.acks(String(one.id)).at(-1);
    expect(last).toMatchObject({ ack: "committed", seq: 1, pruned: true });
    expect(last && "operations" in last).toBe(false);
    expect(last && "replay" in last).toBe(false);
  });
});
