// The Rails peer (Debian's ActionCable 6.1 under puma) speaks docs/PROTOCOL.md section 4, driven from
// Node over a raw ActionCable socket. The steps build on each other, in order, against one peer.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CableProbe, type Frame } from "./cable-probe";
import { railsAvailable, startRailsPeer, type RailsPeer } from "./peer";

const COURIER = JSON.stringify({ channel: "StimulusReflex::Channel", courier: 1, clientId: "c1" });
const PLAIN = JSON.stringify({ channel: "StimulusReflex::Channel" });
const available = railsAvailable();
const dist = mkdtempSync(join(tmpdir(), "rails-peer-dist-"));
let peer: RailsPeer | undefined;
let probe: CableProbe;

function need(): RailsPeer {
  if (!peer) {
    throw new Error(
      `the Rails peer cannot run, missing: ${available.missing.join(", ")}. ` +
        "Install Debian's packages: apt-get install ruby-rails puma",
    );
  }
  return peer;
}

// StimulusReflex 3.5's payload keys, plus the courier stamp when seq is given.
function reflex(target: string, args: unknown[], seq?: number, extra: object = {}) {
  const id = `r${seq ?? "plain"}-${Math.random().toString(36).slice(2)}`;
  const payload = {
    target, args, id, url: "http://127.0.0.1/", attrs: { id: "b", tag_name: "BUTTON" },
    dataset: { dataset: {}, datasetAll: {} }, selectors: [], formData: "",
    permanentAttributeName: "data-reflex-permanent", tabId: "tab", version: "3.5.5",
    reflexController: "stimulus-reflex", inner_html: "", text_content: "", resolveLate: false,
    suppressLogging: false, xpathController: "//*[@id='b']", xpathElement: "//*[@id='b']", params: {},
    ...(seq === undefined ? {} : { courier: { v: 1, clientId: "c1", seq, ...extra } }),
  };
  return payload;
}

function send(identifier: string, data: object | string): void {
  probe.send({ command: "message", identifier, data: typeof data === "string" ? data : JSON.stringify(data) });
}

const courier = (f: Frame) =>
  f.identifier === COURIER ? ((f.message as { courier?: Record<string, unknown> } | undefined)?.courier ?? null) : null;
const ack = (kind: string, seq: number) => (f: Frame) => courier(f)?.ack === kind && courier(f)?.seq === seq;
const committed = (f: Frame) => courier(f)?.ack === "committed";

async function subscribe(identifier: string): Promise<void> {
  probe.send({ command: "subscribe", identifier });
  await probe.waitFor((f) => f.type === "confirm_subscription" && f.identifier === identifier, `confirm of ${identifier}`);
}

beforeAll(async () => {
  writeFileSync(join(dist, "cable-courier.iife.min.js"), "window.servedFromDist = true;");
  if (available.ok) peer = await startRailsPeer({ dist });
});

afterAll(async () => {
  probe?.close();
  await peer?.stop();
  rmSync(dist, { recursive: true, force: true });
});

describe("the Rails ActionCable peer", () => {
  it("serves the test page and the dist folder", async () => {
    const { url } = need();
    const page = await (await fetch(url + "/")).text();
    expect(page).toContain('<meta name="action-cable-url" content="/cable">');
    expect(page).toContain('<script src="/dist/cable-courier.iife.min.js"></script>');
    expect(page).toMatch(/<span id="count">0<\/span>/);
    expect(page).toContain('data-reflex="click->Counter#increment"');
    const script = await fetch(url + "/dist/cable-courier.iife.min.js");
    expect(script.status).toBe(200);
    expect(await script.text()).toBe("window.servedFromDist = true;");
  });

  it("refuses a socket from a foreign origin", async () => {
    await expect(CableProbe.connect(need().cableUrl, "http://evil.example")).rejects.toThrow(/404/);
  });

  it("transmits the hello before confirm_subscription, and only to courier subscriptions", async () => {
    const { cableUrl, url } = need();
    probe = await CableProbe.connect(cableUrl, url);
    await subscribe(COURIER);
    await subscribe(PLAIN);
    const hello = probe.frames.findIndex((f) => courier(f)?.hello === true);
    const confirm = probe.frames.findIndex((f) => f.type === "confirm_subscription" && f.identifier === COURIER);
    expect(hello).toBeGreaterThanOrEqual(0);
    expect(hello).toBeLessThan(confirm);
    expect(courier(probe.frames[hello])).toEqual({ v: 1, hello: true, committed: { c1: 0 } });
    expect(probe.frames.filter((f) => f.identifier === PLAIN && f.message !== undefined)).toEqual([]);
  });

  it("commits 20 pipelined reflexes exactly once each, in seq order, despite the pool of 4", async () => {
    const sent = Array.from({ length: 20 }, (_, i) => reflex("Log#append", [String(i + 1)], i + 1));
    for (const data of sent) send(COURIER, data);
    const acks = await probe.waitForCount(committed, 20, "20 committed");
    expect(acks.map((f) => courier(f)?.seq)).toEqual(sent.map((_, i) => i + 1));
    for (const data of sent) {
      const seq = data.courier?.seq as number;
      const received = probe.frames.findIndex(ack("received", seq));
      const done = probe.frames.findIndex(ack("committed", seq));
      expect(received, `received of seq ${seq}`).toBeGreaterThanOrEqual(0);
      expect(received).toBeLessThan(done);
      const operations = courier(probe.frames[done])?.operations as Record<string, unknown>[];
      expect(operations).toMatchObject([{ operation: "dispatchEvent", name: "stimulus-reflex:morph-nothing", reflexId: data.id }]);
    }
    const stats = await need().stats();
    expect(stats.log).toEqual(sent.map((_, i) => String(i + 1)));
    expect(stats.runs).toEqual({ "Log#append": 20 });
    expect(stats.clients).toEqual({ c1: 20 });
    console.info(`rails peer: ${stats.reordered} of 20 reflexes picked up after a later seq, ${stats.held} held`);
  });

  it("answers a resent seq from its stored result without running it", async () => {
    const from = probe.frames.length;
    const first = probe.frames.find(ack("committed", 5)) as Frame;
    send(COURIER, reflex("Log#append", ["5"], 5));
    const again = await probe.waitFor(ack("committed", 5), "committed of the resent seq 5", 15_000, from);
    expect(courier(again)?.operations).toEqual(courier(first)?.operations);
    const stats = await need().stats();
    expect(stats.runs).toEqual({ "Log#append": 20 });
    expect(stats.log).toHaveLength(20);
    expect(stats.duplicates).toBe(1);
  });

  it("holds a seq that is ahead for 2 s, then answers gap without running it", async () => {
    const from = probe.frames.length;
    const started = Date.now();
    send(COURIER, reflex("Log#append", ["30"], 30));
    const gap = await probe.waitFor(ack("gap", 30), "gap for seq 30", 15_000, from);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(courier(gap)?.expected).toBe(21);
    expect(probe.frames.slice(from).some(ack("received", 30))).toBe(false);
    const stats = await need().stats();
    expect(stats.gaps).toBe(1);
    expect(stats.log).toHaveLength(20);
  });

  it("fails a raising reflex, consuming its seq, and rolls back nothing else", async () => {
    const from = probe.frames.length;
    send(COURIER, reflex("Counter#boom", [], 21));
    const failed = await probe.waitFor(ack("failed", 21), "failed of seq 21", 15_000, from);
    expect(courier(failed)?.error).toBe("boom");
    const increment = reflex("Counter#increment", [], 22);
    send(COURIER, increment);
    const done = await probe.waitFor(ack("committed", 22), "committed of seq 22", 15_000, from);
    expect(courier(done)?.operations).toMatchObject([
      { operation: "morph", selector: "#count", html: "1", childrenOnly: true, reflexId: increment.id },
    ]);
    const stats = await need().stats();
    expect(stats.clients).toEqual({ c1: 22 });
    expect(stats.counter).toBe(1);
    expect(stats.runs).toEqual({ "Log#append": 20, "Counter#boom": 1, "Counter#increment": 1 });
  });

  it("consumes a tombstone's seq as expired without running it", async () => {
    const from = probe.frames.length;
    send(COURIER, reflex("Log#append", ["never"], 23, { void: true }));
    const failed = await probe.waitFor(ack("failed", 23), "failed of the tombstone", 15_000, from);
    expect(courier(failed)?.error).toBe("expired");
    const stats = await need().stats();
    expect(stats.clients).toEqual({ c1: 23 });
    expect(stats.log).not.toContain("never");
    expect(stats.runs["Log#append"]).toBe(20);
  });

  it("keeps exact counts across a restart and a crash of puma", async () => {
    const rails = need();
    const before = await rails.stats();
    const oldPid = rails.pid;
    await rails.restart(); // SIGTERM with the socket still open
    probe.close();
    expect(rails.pid).not.toBe(oldPid);
    expect(await rails.stats()).toEqual(before);

    probe = await CableProbe.connect(rails.cableUrl, rails.url);
    await subscribe(COURIER);
    expect(courier(probe.frames.find((f) => courier(f)?.hello === true) as Frame)).toMatchObject({ committed: { c1: 23 } });
    const from = probe.frames.length;
    send(COURIER, reflex("Log#append", ["3"], 3));
    const again = await probe.waitFor(ack("committed", 3), "committed of the resent seq 3", 15_000, from);
    expect((courier(again)?.operations as { reflexId: string }[])[0].reflexId).toMatch(/^r3-/);
    send(COURIER, reflex("Log#append", ["24"], 24));
    await probe.waitFor(ack("committed", 24), "committed of seq 24", 15_000, from);

    probe.close();
    await rails.restart({ hard: true });
    const after = await rails.stats();
    expect(after.runs["Log#append"]).toBe(21);
    expect(after.log).toEqual([...before.log, "24"]);
    expect(after.duplicates).toBe(before.duplicates + 1);
    expect(after.clients).toEqual({ c1: 24 });
  });

  it("answers a reflex without a stamp as plain StimulusReflex does", async () => {
    const rails = need();
    probe = await CableProbe.connect(rails.cableUrl, rails.url);
    await subscribe(PLAIN);
    const increment = reflex("CounterReflex#increment", []);
    send(PLAIN, increment);
    const envelope = await probe.waitFor((f) => f.identifier === PLAIN && f.message !== undefined, "operations");
    expect(envelope.message).toMatchObject({
      cableReady: true,
      version: "5.0.6",
      operations: [{ operation: "morph", selector: "#count", html: "2", childrenOnly: true, reflexId: increment.id }],
    });
    const boom = reflex("Counter#boom", []);
    send(PLAIN, boom);
    const error = await probe.waitFor((f) => JSON.stringify(f.message ?? null).includes(boom.id), "morph-error");
    expect(error.message).toMatchObject({
      cableReady: true,
      operations: [{ operation: "dispatchEvent", name: "stimulus-reflex:morph-error", error: "boom", reflexId: boom.id }],
    });
    expect(probe.frames.some((f) => courier(f) !== null)).toBe(false);
    expect((await rails.stats()).counter).toBe(2);
  });

  it("drops bad frames without losing the next reflex, and broadcasts to every subscriber", async () => {
    const rails = need();
    await subscribe(COURIER);
    send(COURIER, "not json");
    send(COURIER, JSON.stringify({ target: "Log#append", id: "bad", courier: { v: 1, clientId: "c1", seq: "x" } }));
    send(COURIER, JSON.stringify([1, 2]));
    send(COURIER, reflex("Log#append", ["25"], 25));
    await probe.waitFor(ack("committed", 25), "committed of seq 25");
    expect((await rails.stats()).log.at(-1)).toBe("25");
    await rails.broadcast([{ operation: "consoleLog", message: "hi" }]);
    const both = await probe.waitForCount((f) => (f.message as { cableReady?: boolean })?.cableReady === true &&
      JSON.stringify(f.message).includes("consoleLog"), 2, "the broadcast on both subscriptions");
    expect(new Set(both.map((f) => f.identifier))).toEqual(new Set([COURIER, PLAIN]));
  });
});
