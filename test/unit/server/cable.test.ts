// @vitest-environment node
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createServer, type CourierServer, type ServerOptions } from "../../../src/server";
import { CHANNEL, TestClient, until } from "./client";

let servers: CourierServer[] = [];
const clients: TestClient[] = [];

async function start(options: ServerOptions = {}): Promise<CourierServer> {
  const server = createServer(options);
  servers.push(server);
  await server.listen();
  return server;
}

async function connect(server: CourierServer, options?: Parameters<typeof TestClient.open>[1]): Promise<TestClient> {
  const client = await TestClient.open(server.cableUrl, options);
  clients.push(client);
  return client;
}

/** The HTTP status a refused upgrade got. */
function refusedStatus(url: string, protocols: string[] = ["actioncable-v1-json"], headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on("open", () => reject(new Error("upgrade was accepted")));
    ws.on("error", () => undefined);
  });
}

afterEach(async () => {
  clients.splice(0).forEach((c) => c.ws.terminate());
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe("ActionCable handshake", () => {
  it("welcomes, selects the subprotocol, pings, confirms the reflex channel and rejects others", async () => {
    const server = await start({ pingInterval: 40 });
    const client = await connect(server);
    expect(client.ws.protocol).toBe("actioncable-v1-json");
    await client.waitFor((f) => f.type === "welcome", "welcome");
    const ping = await client.waitFor((f) => f.type === "ping", "ping");
    expect(Math.abs(Number(ping.message) - Date.now() / 1000)).toBeLessThan(5);
    expect(Number.isInteger(ping.message)).toBe(true);

    expect((await client.subscribe({ channel: CHANNEL })).type).toBe("confirm_subscription");
    expect((await client.subscribe({ channel: "ChatChannel" })).type).toBe("reject_subscription");
    expect(server.connectionCount).toBe(1);
    expect(server.stats.connectionsOpened).toBe(1);
  });

  it("sends no hello to a subscription without courier: 1", async () => {
    const server = await start();
    const client = await connect(server);
    await client.subscribe({ channel: CHANNEL, clientId: "c1" });
    expect(client.hellos()).toEqual([]);
  });

  it("uses the configured path and channel name", async () => {
    const server = await start({ path: "/ws", channel: "CourierChannel" });
    expect(server.cableUrl).toBe(`${server.url.replace("http", "ws")}/ws`);
    const client = await connect(server);
    expect((await client.subscribe({ channel: "CourierChannel" })).type).toBe("confirm_subscription");
    expect((await client.subscribe({ channel: CHANNEL })).type).toBe("reject_subscription");
    expect(await refusedStatus(`${server.url.replace("http", "ws")}/cable`)).toBe(404);
  });

  it("requires the actioncable-v1-json subprotocol", async () => {
    const server = await start();
    expect(await refusedStatus(server.cableUrl, [])).toBe(400);
    expect(await refusedStatus(server.cableUrl, ["graphql-ws"])).toBe(400);
    expect(server.stats.connectionsOpened).toBe(0);
  });

  it("ignores malformed frames without closing the socket or any other", async () => {
    const server = await start();
    const bystander = await connect(server);
    const { identifier: bystanderId } = await bystander.subscribe();
    const client = await connect(server);
    const garbage = [
      "not json",
      "[1,2]",
      "null",
      JSON.stringify({ command: "dance", identifier: "{}" }),
      JSON.stringify({ command: "subscribe" }),
      JSON.stringify({ command: "subscribe", identifier: "{not json" }),
      JSON.stringify({ command: "subscribe", identifier: JSON.stringify({ nochannel: 1 }) }),
      JSON.stringify({ command: "message", identifier: JSON.stringify({ channel: CHANNEL }), data: "{}" }), // not subscribed
      JSON.stringify({ command: "unsubscribe", identifier: JSON.stringify({ channel: CHANNEL }) }),
    ];
    for (const frame of garbage) client.send(frame);
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    const { identifier } = await client.subscribe();
    client.send({ command: "message", identifier, data: "{broken" });
    client.send({ command: "message", identifier, data: 42 });
    client.perform(identifier, { target: "Counter#increment" }); // no id: ignored
    await until(() => server.stats.invalid >= garbage.length + 4, "invalid frames counted");
    // Both sockets still work.
    expect((await client.subscribe({ channel: CHANNEL, n: 2 })).type).toBe("confirm_subscription");
    server.broadcast([{ operation: "textContent", selector: "#x", text: "hi" }]);
    await bystander.waitFor((f) => f.identifier === bystanderId && (f.message as { cableReady?: boolean })?.cableReady === true, "broadcast");
    expect(server.connectionCount).toBe(2);
  });

  it("closes only the socket that sends a frame over maxPayload (1009)", async () => {
    const server = await start({ maxPayload: 1024 });
    const bystander = await connect(server);
    const client = await connect(server);
    client.send({ command: "subscribe", identifier: JSON.stringify({ channel: CHANNEL, pad: "x".repeat(2000) }) });
    expect((await client.closed).code).toBe(1009);
    expect((await bystander.subscribe()).type).toBe("confirm_subscription");
    expect(server.connectionCount).toBe(1);
  });

  it("refuses a second subscribe of the same identifier and honours unsubscribe", async () => {
    const server = await start();
    const client = await connect(server);
    const { identifier } = await client.subscribe();
    client.send({ command: "subscribe", identifier });
    client.send({ command: "unsubscribe", identifier });
    await until(() => server.stats.invalid === 1, "duplicate subscribe refused");
    expect(client.frames.filter((f) => f.type === "confirm_subscription")).toHaveLength(1);
    expect(server.broadcast([{ operation: "remove", selector: "#x" }])).toBe(0);
  });
});

describe("who may connect", () => {
  it("answers 403 to an origin not allowed (list)", async () => {
    const server = await start({ allowedOrigins: ["http://good.test"] });
    expect(await refusedStatus(server.cableUrl, undefined, { Origin: "http://evil.test" })).toBe(403);
    expect(await refusedStatus(server.cableUrl)).toBe(403); // no Origin at all
    const client = await connect(server, { origin: "http://good.test" });
    await client.waitFor((f) => f.type === "welcome");
  });

  it("without allowedOrigins, admits only the page's own origin (the request's Host), as Rails", async () => {
    const server = await start();
    expect(await refusedStatus(server.cableUrl, undefined, { Origin: "http://evil.test" })).toBe(403);
    expect(await refusedStatus(server.cableUrl, undefined, { Origin: `http://127.0.0.1:${server.port + 1}` })).toBe(403);
    expect(await refusedStatus(server.cableUrl, undefined, { Origin: "null" })).toBe(403);
    const own = await connect(server, { origin: server.url });
    await own.waitFor((f) => f.type === "welcome");
    const noBrowser = await connect(server); // no Origin header: not a browser, so no cross-site risk
    await noBrowser.waitFor((f) => f.type === "welcome");
  });

  it.each([null, undefined, 0, "", false])("refuses as Rails does when authenticate returns %j, never a shared user", async (value) => {
    const server = await start({ authenticate: () => value });
    const refused = await connect(server);
    expect(await refused.closed).toBeTruthy();
    expect(refused.frames).toEqual([{ type: "disconnect", reason: "unauthorized", reconnect: false }]);
    expect(server.stats.connectionsOpened).toBe(0);
  });

  it("rejects subscriptions past maxSubscriptions on one socket", async () => {
    const server = await start({ maxSubscriptions: 2 });
    const client = await connect(server);
    expect((await client.subscribe({ channel: "StimulusReflex::Channel", n: 1 })).type).toBe("confirm_subscription");
    expect((await client.subscribe({ channel: "StimulusReflex::Channel", n: 2 })).type).toBe("confirm_subscription");
    expect((await client.subscribe({ channel: "StimulusReflex::Channel", n: 3 })).type).toBe("reject_subscription");
    expect(server.stats.invalid).toBe(1);
  });

  it("answers 403 when the origin function says no", async () => {
    const seen: Array<string | undefined> = [];
    const server = await start({ allowedOrigins: (origin) => (seen.push(origin), origin?.endsWith(".good.test") === true) });
    expect(await refusedStatus(server.cableUrl, undefined, { Origin: "http://a.evil.test" })).toBe(403);
    await connect(server, { origin: "http://a.good.test" });
    expect(seen).toEqual(["http://a.evil.test", "http://a.good.test"]);
  });

  it("refuses as Rails does when authenticate returns false (disconnect unauthorized, no reconnect), and hands the identity to reflexes", async () => {
    const identities: unknown[] = [];
    const server = await start({
      authenticate: async (request) => (request.headers.cookie === "user=7" ? { user: 7 } : false),
      reflexes: { "Who#ami": ({ identity }) => void identities.push(identity) },
    });
    const refused = await connect(server);
    expect(await refused.closed).toBeTruthy();
    expect(refused.frames).toEqual([{ type: "disconnect", reason: "unauthorized", reconnect: false }]);
    const client = await connect(server, { headers: { Cookie: "user=7" } });
    const { identifier } = await client.subscribe();
    client.perform(identifier, { target: "Who#ami", id: "r1", args: [] });
    await client.waitFor((f) => (f.message as { cableReady?: boolean })?.cableReady === true, "answer");
    expect(identities).toEqual([{ user: 7 }]);
  });
});

describe("shutting down", () => {
  it("close() says disconnect (server_restart, reconnect) to every socket, then closes them", async () => {
    const server = await start();
    const a = await connect(server);
    const b = await connect(server);
    await server.close();
    for (const client of [a, b]) {
      expect(client.frames).toContainEqual({ type: "disconnect", reason: "server_restart", reconnect: true });
      await client.closed;
    }
    expect(server.listening).toBe(false);
  });

  it("close() resolves when a client never answers the close handshake", async () => {
    const server = await start({ closeTimeout: 100 });
    const client = await connect(server);
    await client.waitFor((f) => f.type === "welcome");
    // Stop reading: the client's TCP socket no longer processes the close frame.
    (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await server.close();
    expect(server.connectionCount).toBe(0);
  });

  it("dropConnections cuts every socket, refuses upgrades with 503, then accepts again", async () => {
    const server = await start();
    const client = await connect(server);
    server.dropConnections(60);
    expect((await client.closed).code).toBe(1006); // no goodbye, like a network loss
    expect(server.refusing).toBe(true);
    expect(await refusedStatus(server.cableUrl)).toBe(503);
    const page = await fetch(server.url + "/nothing-here");
    expect(page.status).toBe(404); // plain HTTP still served
    server.acceptConnections();
    expect(server.refusing).toBe(false);
    await connect(server);
  });

  it("dropConnections(seconds) ends by itself", async () => {
    const server = await start();
    server.dropConnections(0.2);
    expect(await refusedStatus(server.cableUrl)).toBe(503);
    await until(() => !server.refusing, "refusal to end");
    const client = await connect(server);
    await client.waitFor((f) => f.type === "welcome");
  });
});
