// @vitest-environment node
// Dedup state is per (user, clientId), a seq reused by another reflex id is a conflict, and the hello names
// the connection's user (PROTOCOL.md §3, §4, §6). The first two tests are the reviewer's repros.
import { describe, expect, it } from "vitest";
import { clientKey, createServer, MemoryStore, morph, type CourierServer, type ServerOptions } from "../../../src/server";
import { CHANNEL, TestClient, stamped, closedAfterEach } from "./client";

const { servers, clients } = closedAfterEach();

/** Connections name their user with `?user=`; no `user` → anonymous (authenticate returns true). */
const byQuery: ServerOptions["authenticate"] = (req) => new URL(req.url ?? "/", "http://x").searchParams.get("user") ?? true;

async function start(options: ServerOptions): Promise<CourierServer> {
  const server = createServer(options);
  servers.push(server);
  await server.listen();
  return server;
}

async function connect(server: CourierServer, clientId: string, user?: string) {
  const client = await TestClient.open(user === undefined ? server.cableUrl : `${server.cableUrl}?user=${user}`);
  clients.push(client);
  const { identifier } = await client.subscribe({ channel: CHANNEL, courier: 1, clientId });
  return { client, identifier };
}

describe("dedup state per (user, clientId)", () => {
  it("gives another user naming the same clientId a namespace of its own", async () => {
    const ran: string[] = [];
    const server = await start({
      authenticate: byQuery,
      reflexes: { "Inbox#open": ({ identity, id }) => (ran.push(`${identity}:${id}`), [morph("#inbox", `mail of ${String(identity)}`)]) },
    });
    const alice = await connect(server, "shared-tab", "alice");
    const first = stamped("Inbox#open", "shared-tab", 1);
    alice.client.perform(alice.identifier, first);
    const aliceOne = await alice.client.waitForAck((a) => a.id === first.id && a.ack === "committed");

    const bob = await connect(server, "shared-tab", "bob");
    expect(bob.client.hellos()[0].committed).toEqual({ "shared-tab": 0 });
    const bobsOwn = stamped("Inbox#open", "shared-tab", 1);
    bob.client.perform(bob.identifier, bobsOwn);
    const bobOne = await bob.client.waitForAck((a) => a.id === bobsOwn.id && a.ack !== "received");
    expect(bobOne.ack).toBe("committed");
    expect(JSON.stringify(bobOne.operations)).not.toContain("alice");
    expect(ran).toContain(`bob:${bobsOwn.id}`);
    // Bob replaying alice's very reflex gets bob's namespace (already has seq 1, another id): no leak.
    bob.client.perform(bob.identifier, first);
    const replay = await bob.client.waitForAck((a) => a.id === first.id);
    expect(replay.ack).toBe("conflict");
    expect(replay.operations).toBeUndefined();
    // Bob's tombstone consumes bob's seq 2, not alice's.
    bob.client.perform(bob.identifier, { id: "bob-t2", target: "Inbox#open", courier: { v: 1, clientId: "shared-tab", seq: 2, void: true } });
    await bob.client.waitForAck((a) => a.id === "bob-t2" && a.ack === "failed");

    const aliceTwo = stamped("Inbox#open", "shared-tab", 2);
    alice.client.perform(alice.identifier, aliceTwo);
    expect((await alice.client.waitForAck((a) => a.id === aliceTwo.id && a.ack !== "received")).ack).toBe("committed");
    expect(ran).toContain(`alice:${aliceTwo.id}`);
    alice.client.perform(alice.identifier, first); // alice's own duplicate still gets alice's result
    await alice.client.waitFor((f) => (f.message as { courier?: { id?: string; ack?: string } })?.courier?.id === first.id, "dup", 5000, 2);
    expect(alice.client.acks(String(first.id)).at(-1)).toEqual({ ...aliceOne, replay: true });

    expect(await server.store.lastSeq(clientKey("alice", "shared-tab"))).toBe(2);
    expect(await server.store.lastSeq(clientKey("bob", "shared-tab"))).toBe(2);
    expect(await server.store.lastSeq(clientKey(undefined, "shared-tab"))).toBe(0);
    const again = await connect(server, "shared-tab");
    expect(again.client.hellos()[0].committed).toEqual({ "shared-tab": 0 });
  });

  it("keys anonymous connections (no authenticate, or authenticate → true) alike", async () => {
    const store = new MemoryStore();
    const one = await start({ store, reflexes: { "A#b": () => [] } });
    const a = await connect(one, "tab");
    a.client.perform(a.identifier, stamped("A#b", "tab", 1));
    await a.client.waitForAck((k) => k.ack === "committed");
    await one.close();
    const two = await start({ store, authenticate: byQuery });
    expect((await connect(two, "tab")).client.hellos()[0].committed).toEqual({ tab: 1 });
    expect((await connect(two, "tab", "carol")).client.hellos()[0].committed).toEqual({ tab: 0 });
    expect(await store.lastSeq(clientKey(undefined, "tab"))).toBe(1);
    expect(store.size).toBe(1);
  });

  it("refuses (500) a connection whose identity cannot be named as JSON", async () => {
    const server = await start({ authenticate: () => 10n });
    await expect(TestClient.open(server.cableUrl)).rejects.toThrow("HTTP 500");
  });
});

describe("conflict", () => {
  it("answers conflict, without running, to a duplicate seq carrying another reflex id", async () => {
    const ran: string[] = [];
    const events: string[] = [];
    const server = await start({
      reflexes: { "Counter#increment": ({ id }) => (ran.push(id), [morph("#c", id)]), "Boom#raise": () => { throw new Error("no"); } },
      onReflex: (event) => events.push(event.type),
    });
    const { client, identifier } = await connect(server, "cid");
    const x = stamped("Counter#increment", "cid", 1);
    const y = stamped("Counter#increment", "cid", 1);
    client.perform(identifier, x);
    await client.waitForAck((a) => a.id === x.id && a.ack === "committed");
    client.perform(identifier, y);
    const ack = await client.waitForAck((a) => a.id === y.id);
    expect(ack).toEqual({ v: 1, ack: "conflict", id: y.id, clientId: "cid", seq: 1 });
    expect(ran).toEqual([x.id]);
    expect(server.stats.conflicts).toBe(1);
    expect(server.stats.duplicates).toBe(0);
    expect(events).toEqual(["received", "committed", "conflict"]);

    const boom = stamped("Boom#raise", "cid", 2);
    client.perform(identifier, boom);
    await client.waitForAck((a) => a.id === boom.id && a.ack === "failed");
    const z = stamped("Boom#raise", "cid", 2);
    client.perform(identifier, z);
    expect((await client.waitForAck((a) => a.id === z.id)).ack).toBe("conflict");
  });
});

describe("hello identity", () => {
  const helloOf = async (server: CourierServer, user?: string) => (await connect(server, "tab", user)).client.hellos()[0];

  it("names the user with a stable opaque string, never the user itself", async () => {
    const server = await start({ authenticate: byQuery, identitySecret: "s3cret" });
    const alice = await helloOf(server, "alice");
    expect(alice.identity).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(alice.identity).not.toContain("alice");
    expect((await helloOf(server, "alice")).identity).toBe(alice.identity);
    expect((await helloOf(server, "bob")).identity).not.toBe(alice.identity);
    expect("identity" in (await helloOf(server))).toBe(false); // authenticate → true: anonymous

    const restarted = await start({ authenticate: byQuery, identitySecret: "s3cret" });
    expect((await helloOf(restarted, "alice")).identity).toBe(alice.identity);
    const otherSecret = await start({ authenticate: byQuery, identitySecret: "another" });
    expect((await helloOf(otherSecret, "alice")).identity).not.toBe(alice.identity);
    const noSecret = await start({ authenticate: byQuery });
    const unkeyed = (await helloOf(noSecret, "alice")).identity;
    expect(unkeyed).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(unkeyed).not.toBe(alice.identity);
    expect((await helloOf(await start({ authenticate: byQuery }), "alice")).identity).toBe(unkeyed);
  });

  it("is absent without authenticate", async () => {
    const server = await start({});
    expect(await helloOf(server)).toEqual({ v: 1, hello: true, committed: { tab: 0 } });
  });
});
