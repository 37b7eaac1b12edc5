// The cable_courier gem in a Rails app (test/rails/gem: Debian's Rails 6.1 under puma, the unmodified
// StimulusReflex 3.5.5, the ActiveRecord store on sqlite) speaks docs/PROTOCOL.md sections 3, 4 and 6,
// driven from Node over raw ActionCable sockets. The steps build on each other, in order, against one
// app; the anonymous user's client c1 advances through them. Runs are counted by the app in a file
// outside its database (rolled-back runs included), effects in its tables.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CableProbe, type Frame } from "./cable-probe";
import { railsAvailable, startRailsPeer, type RailsPeer } from "./peer";

const identifier = (clientId: string) => JSON.stringify({ channel: "StimulusReflex::Channel", courier: 1, clientId });
const COURIER = identifier("c1");
const PLAIN = JSON.stringify({ channel: "StimulusReflex::Channel" });
const available = railsAvailable();
const dist = mkdtempSync(join(tmpdir(), "rails-peer-dist-"));
let peer: RailsPeer | undefined;
let probe: CableProbe;
let pipelined: Reflex[] = []; // c1's seqs 1..20, as first sent: a resend must carry the same id

function need(): RailsPeer {
  if (!peer) {
    throw new Error(
      `the Rails peer cannot run, missing: ${available.missing.join(", ")}. ` +
        "Install Debian's packages: apt-get install ruby-rails puma",
    );
  }
  return peer;
}

type Reflex = ReturnType<typeof reflex>;

// StimulusReflex 3.5's payload keys, plus the courier stamp when seq is given.
function reflex(target: string, args: unknown[], seq?: number, options: { clientId?: string; id?: string; stamp?: object } = {}) {
  const id = options.id ?? `r${seq ?? "plain"}-${Math.random().toString(36).slice(2)}`;
  const clientId = options.clientId ?? "c1";
  return {
    target, args, id, url: "http://127.0.0.1/", attrs: { id: "b", tag_name: "BUTTON" },
    dataset: { dataset: {}, datasetAll: {} }, selectors: [], formData: "",
    permanentAttributeName: "data-reflex-permanent", tabId: "tab", version: "3.5.5",
    reflexController: "stimulus-reflex", inner_html: "", text_content: "", resolveLate: false,
    suppressLogging: false, xpathController: "//*[@id='b']", xpathElement: "//*[@id='b']", params: {},
    ...(seq === undefined ? {} : { courier: { v: 1, clientId, seq, ...options.stamp } }),
  };
}

function send(identifier: string, data: object | string, on = probe): void {
  on.send({ command: "message", identifier, data: typeof data === "string" ? data : JSON.stringify(data) });
}

const courier = (f: Frame) =>
  f.identifier !== undefined && f.identifier !== PLAIN
    ? ((f.message as { courier?: Record<string, unknown> } | undefined)?.courier ?? null)
    : null;
const ack = (kind: string, seq: number, clientId = "c1") => (f: Frame) =>
  courier(f)?.ack === kind && courier(f)?.seq === seq && courier(f)?.clientId === clientId;
const committed = (f: Frame) => courier(f)?.ack === "committed";
const hello = (on: CableProbe) => courier(on.frames.find((f) => courier(f)?.hello === true) as Frame);

async function subscribe(identifier: string, on = probe): Promise<void> {
  on.send({ command: "subscribe", identifier });
  await on.waitFor((f) => f.type === "confirm_subscription" && f.identifier === identifier, `confirm of ${identifier}`);
}

async function connectAs(user: string | undefined, clientId = "c1"): Promise<CableProbe> {
  const { cableUrl, url } = need();
  const socket = await CableProbe.connect(user === undefined ? cableUrl : `${cableUrl}?user=${user}`, url);
  await subscribe(identifier(clientId), socket);
  return socket;
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
    expect(page).toMatch(/<meta name="action-cable-url" content="\/cable" ?\/?>/);
    expect(page).toContain('<script src="/dist/cable-courier.iife.min.js"></script>');
    expect(page).toMatch(/<span id="count">0<\/span>/);
    expect(page).toContain('data-reflex="click->Counter#increment"');
    expect(page).not.toContain("cable-courier-identity");
    const script = await fetch(url + "/dist/cable-courier.iife.min.js");
    expect(script.status).toBe(200);
    expect(await script.text()).toBe("window.servedFromDist = true;");
  });

  it("refuses a socket from a foreign origin", async () => {
    await expect(CableProbe.connect(need().cableUrl, "http://evil.example")).rejects.toThrow(/404/);
  });

  it("transmits the hello before confirm_subscription, only to courier subscriptions, with no identity for the anonymous user", async () => {
    const { cableUrl, url } = need();
    probe = await CableProbe.connect(cableUrl, url);
    await subscribe(COURIER);
    await subscribe(PLAIN);
    const first = probe.frames.findIndex((f) => courier(f)?.hello === true);
    const confirm = probe.frames.findIndex((f) => f.type === "confirm_subscription" && f.identifier === COURIER);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(confirm);
    expect(courier(probe.frames[first])).toEqual({ v: 1, hello: true, committed: { c1: 0 } });
    expect(probe.frames.filter((f) => f.identifier === PLAIN && f.message !== undefined)).toEqual([]);
  });

  it("commits 20 pipelined reflexes exactly once each, in seq order, despite the pool of 4", async () => {
    pipelined = Array.from({ length: 20 }, (_, i) => reflex("Log#append", [String(i + 1)], i + 1));
    for (const data of pipelined) send(COURIER, data);
    const acks = await probe.waitForCount(committed, 20, "20 committed");
    expect(acks.map((f) => courier(f)?.seq)).toEqual(pipelined.map((_, i) => i + 1));
    for (const data of pipelined) {
      const seq = data.courier?.seq as number;
      const received = probe.frames.findIndex(ack("received", seq));
      const done = probe.frames.findIndex(ack("committed", seq));
      expect(received, `received of seq ${seq}`).toBeGreaterThanOrEqual(0);
      expect(received).toBeLessThan(done);
      const operations = courier(probe.frames[done])?.operations as Record<string, unknown>[];
      expect(operations).toMatchObject([{ operation: "dispatchEvent", name: "stimulus-reflex:morph-nothing", reflexId: data.id }]);
    }
    const stats = await need().stats();
    expect(stats.log).toEqual(pipelined.map((_, i) => String(i + 1)));
    expect(stats.runs).toEqual({ "Log#append": 20 });
    expect(stats.clients).toEqual({ "": { c1: 20 } });
  });

  it("answers a resent seq from its stored result without running it", async () => {
    const from = probe.frames.length;
    const first = probe.frames.find(ack("committed", 5)) as Frame;
    send(COURIER, pipelined[4]);
    const again = await probe.waitFor(ack("committed", 5), "committed of the resent seq 5", 15_000, from);
    expect(courier(again)?.operations).toEqual(courier(first)?.operations);
    expect(courier(again)?.id).toBe(pipelined[4].id);
    expect(courier(again)?.replay).toBe(true);
    const stats = await need().stats();
    expect(stats.runs).toEqual({ "Log#append": 20 });
    expect(stats.log).toHaveLength(20);
  });

  it("answers conflict, running nothing, when another reflex id names a committed seq", async () => {
    const from = probe.frames.length;
    const other = reflex("Log#append", ["other tab"], 5);
    send(COURIER, other);
    const answer = await probe.waitFor(ack("conflict", 5), "conflict of seq 5", 15_000, from);
    expect(courier(answer)).toEqual({ v: 1, ack: "conflict", id: other.id, clientId: "c1", seq: 5 });
    expect(probe.frames.slice(from).some((f) => courier(f)?.id === other.id && courier(f)?.ack !== "conflict")).toBe(false);
    const stats = await need().stats();
    expect(stats).toMatchObject({ runs: { "Log#append": 20 }, clients: { "": { c1: 20 } } });
    expect(stats.log).not.toContain("other tab");
  });

  it("holds a seq that is ahead for 2 s, then answers gap without running it", async () => {
    const from = probe.frames.length;
    const started = Date.now();
    send(COURIER, reflex("Log#append", ["30"], 30));
    const gap = await probe.waitFor(ack("gap", 30), "gap for seq 30", 15_000, from);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(courier(gap)?.expected).toBe(21);
    expect(probe.frames.slice(from).some(ack("received", 30))).toBe(false);
    expect((await need().stats()).log).toHaveLength(20);
  });

  it("blocks no worker while seqs wait for a gap: another client commits at once", async () => {
    const C2 = identifier("c2");
    await subscribe(C2);
    const from = probe.frames.length;
    const started = Date.now();
    // Four parked seqs of c1: were each to hold one of Rails' 4 workers, nothing else could run for 2 s.
    for (const seq of [30, 31, 32, 33]) send(COURIER, reflex("Log#append", [String(seq)], seq));
    send(C2, reflex("Log#append", ["b1"], 1, { clientId: "c2" }));
    const other = await probe.waitFor(ack("committed", 1, "c2"), "committed of c2's seq 1", 15_000, from);
    const otherAfter = Date.now() - started;
    const gaps = await probe.waitForCount((f) => courier(f)?.ack === "gap", 4, "4 gaps", 15_000, from);
    const gapsAfter = Date.now() - started;
    expect(otherAfter, "c2 committed while c1's seqs were parked").toBeLessThan(1_500);
    expect(gapsAfter).toBeGreaterThanOrEqual(1_900);
    expect(probe.frames.indexOf(other)).toBeLessThan(probe.frames.indexOf(gaps[0]));
    const answered = gaps.map((f): [number, unknown] => [courier(f)?.seq as number, courier(f)?.expected]).sort(([a], [b]) => a - b);
    expect(answered).toEqual([30, 31, 32, 33].map((seq) => [seq, 21])); // in arrival order, which the pool shuffles
    const stats = await need().stats();
    expect(stats.clients).toEqual({ "": { c1: 20, c2: 1 } });
    expect(stats.log).toEqual([...pipelined.map((_, i) => String(i + 1)), "b1"]);
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
      { operation: "innerHtml", selector: "#count", html: "1", reflexId: increment.id }, // StimulusReflex's selector morph of text
    ]);
    const stats = await need().stats();
    expect(stats.clients).toEqual({ "": { c1: 22, c2: 1 } });
    expect(stats.counter).toBe(1);
    expect(stats.runs).toEqual({ "Log#append": 21, "Counter#boom": 1, "Counter#increment": 1 });
  });

  it("consumes a tombstone's seq as expired without running it", async () => {
    const from = probe.frames.length;
    send(COURIER, reflex("Log#append", ["never"], 23, { stamp: { void: true } }));
    const failed = await probe.waitFor(ack("failed", 23), "failed of the tombstone", 15_000, from);
    expect(courier(failed)?.error).toBe("expired");
    const stats = await need().stats();
    expect(stats.clients[""].c1).toBe(23);
    expect(stats.log).not.toContain("never");
    expect(stats.runs["Log#append"]).toBe(21);
  });

  it("answers failed, consuming nothing, for a reflex whose stamp is malformed", async () => {
    const from = probe.frames.length;
    const badSeq = { ...reflex("Log#append", ["bad seq"]), courier: { v: 1, clientId: "c1", seq: "x" } };
    send(COURIER, badSeq);
    const first = await probe.waitFor((f) => courier(f)?.id === badSeq.id, "the answer to a bad seq", 15_000, from);
    expect(courier(first)).toMatchObject({ ack: "failed", clientId: "c1", seq: 0, error: "courier stamp has no valid seq" });
    const badVoid = reflex("Log#append", ["bad void"], 24, { stamp: { void: false } });
    send(COURIER, badVoid);
    const second = await probe.waitFor((f) => courier(f)?.id === badVoid.id, "the answer to a bad void flag", 15_000, from);
    expect(courier(second)).toMatchObject({ ack: "failed", clientId: "c1", seq: 24, error: "courier stamp has an invalid void flag" });
    const stats = await need().stats();
    expect(stats.clients[""].c1).toBe(23);
    expect(stats.log).not.toContain("bad seq");
    expect(stats.log).not.toContain("bad void");
  });

  it("closes the socket, answering nothing, when the store cannot write after received; the reflex's rows roll back with it", async () => {
    const rails = need();
    const before = await rails.stats();
    await rails.failSaves(1);
    const lost = reflex("Log#append", ["24"], 24);
    const from = probe.frames.length;
    send(COURIER, lost);
    await probe.waitFor(ack("received", 24), "received of seq 24", 15_000, from);
    await probe.waitClosed("the socket to close after the failed commit");
    expect(probe.frames.slice(from).filter((f) => courier(f)?.id === lost.id).map((f) => courier(f)?.ack)).toEqual(["received"]);
    expect(probe.frames.slice(from)).toContainEqual({ type: "disconnect", reason: "server_error", reconnect: true });
    const after = await rails.stats();
    expect(after).toEqual({ ...before, runs: { ...before.runs, "Log#append": before.runs["Log#append"] + 1 } }); // it ran, and rolled back

    // The client resends after reconnecting; the store, rolled back, runs it now, once.
    probe = await CableProbe.connect(rails.cableUrl, rails.url);
    await subscribe(COURIER);
    expect(hello(probe)).toMatchObject({ committed: { c1: 23 } });
    send(COURIER, lost);
    await probe.waitFor(ack("committed", 24), "committed of the resent seq 24");
    const stats = await rails.stats();
    expect(stats.log).toEqual([...before.log, "24"]);
    expect(stats.runs["Log#append"]).toBe(before.runs["Log#append"] + 2);
    expect(stats.clients[""].c1).toBe(24);
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
    expect(hello(probe)).toMatchObject({ committed: { c1: 24 } });
    const from = probe.frames.length;
    send(COURIER, pipelined[2]);
    const again = await probe.waitFor(ack("committed", 3), "committed of the resent seq 3", 15_000, from);
    expect((courier(again)?.operations as { reflexId: string }[])[0].reflexId).toBe(pipelined[2].id);
    expect(courier(again)?.replay).toBe(true);
    send(COURIER, reflex("Log#append", ["25"], 25));
    await probe.waitFor(ack("committed", 25), "committed of seq 25", 15_000, from);

    probe.close();
    await rails.restart({ hard: true });
    const after = await rails.stats();
    expect(after.runs["Log#append"]).toBe(before.runs["Log#append"] + 1);
    expect(after.log).toEqual([...before.log, "25"]);
    expect(after.clients).toEqual({ "": { c1: 25, c2: 1 } });
  });

  it("keys dedup state by (user, clientId): another user naming c1 starts at 0 and runs in its own seq space", async () => {
    const { url } = need();
    const mallory = await CableProbe.connect(need().cableUrl, url, { Cookie: "user=mallory" });
    try {
      await subscribe(COURIER, mallory);
      const greeting = hello(mallory);
      expect(greeting).toMatchObject({ v: 1, hello: true, committed: { c1: 0 } });
      expect(greeting?.identity).toMatch(/^[0-9a-f]{64}$/);
      // Seq 1 of c1 is stored for the anonymous user; mallory's seq 1 runs, and reads nothing of it.
      const mine = reflex("Log#append", ["m1"], 1);
      send(COURIER, mine, mallory);
      const done = await mallory.waitFor(ack("committed", 1), "committed of mallory's seq 1");
      expect(mallory.frames.some(ack("received", 1))).toBe(true);
      expect(courier(done)?.operations).toMatchObject([{ reflexId: mine.id, stimulusReflex: { args: ["m1"] } }]);
      const stats = await need().stats();
      expect(stats.clients).toEqual({ "": { c1: 25, c2: 1 }, mallory: { c1: 1 } });
      expect(stats.log.at(-1)).toBe("m1");

      // The identity is stable for the user, whichever way it is named, and differs between users.
      const again = await connectAs("mallory");
      const trent = await connectAs("trent");
      expect(hello(again)).toEqual({ v: 1, hello: true, committed: { c1: 1 }, identity: greeting?.identity });
      expect(hello(trent)?.identity).toMatch(/^[0-9a-f]{64}$/);
      expect(hello(trent)?.identity).not.toBe(greeting?.identity);
      again.close();
      trent.close();
    } finally {
      mallory.close();
    }
  });

  it("names the user from the page: /?user= sets the cookie, the page renders the same identity as the hello", async () => {
    const { url } = need();
    const response = await fetch(`${url}/?user=mallory&identity`);
    expect(response.headers.get("set-cookie")).toMatch(/^user=mallory; path=\//);
    const page = await response.text();
    expect(page).toContain('<span id="user">mallory</span>');
    const socket = await connectAs("mallory");
    expect(page).toContain(`<meta name="cable-courier-identity" content="${hello(socket)?.identity}"`);
    socket.close();
    expect((await fetch(`${url}/?user=`, { headers: { cookie: "user=mallory" } })).headers.get("set-cookie")).toMatch(/^user=;.*max-age=0/i);
    expect((await fetch(`${url}/`, { headers: { cookie: "user=trent" } })).ok).toBe(true);
    expect(await (await fetch(`${url}/`, { headers: { cookie: "user=trent" } })).text()).toContain('<span id="user">trent</span>');
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
      operations: [{ operation: "innerHtml", selector: "#count", html: "2", reflexId: increment.id }],
    });
    const boom = reflex("Counter#boom", []);
    send(PLAIN, boom);
    const error = await probe.waitFor((f) => JSON.stringify(f.message ?? null).includes(boom.id), "morph-error");
    expect(error.message).toMatchObject({
      cableReady: true,
      operations: [{ operation: "dispatchEvent", name: "stimulus-reflex:morph-error", error: expect.stringMatching(/^boom\s*$/), reflexId: boom.id }],
    });
    expect(probe.frames.some((f) => courier(f) !== null)).toBe(false);
    expect((await rails.stats()).counter).toBe(2);
  });

  it("drops bad frames without losing the next reflex, and broadcasts to every subscriber", async () => {
    const rails = need();
    await subscribe(COURIER);
    send(COURIER, "not json");
    send(COURIER, JSON.stringify({ target: "Log#append", courier: { v: 1, clientId: "c1", seq: 26 } })); // no id: ignored
    send(COURIER, JSON.stringify([1, 2]));
    send(COURIER, reflex("Log#append", ["26"], 26));
    await probe.waitFor(ack("committed", 26), "committed of seq 26");
    expect(probe.frames.filter((f) => courier(f)?.seq === 26).map((f) => courier(f)?.ack)).toEqual(["received", "committed"]);
    expect((await rails.stats()).log.at(-1)).toBe("26");
    await rails.broadcast([{ operation: "consoleLog", message: "hi" }]);
    const both = await probe.waitForCount((f) => (f.message as { cableReady?: boolean })?.cableReady === true &&
      JSON.stringify(f.message).includes("consoleLog"), 2, "the broadcast on both subscriptions");
    expect(new Set(both.map((f) => f.identifier))).toEqual(new Set([COURIER, PLAIN]));
  });

  it("never runs a seq and its resend at once: the resend waits for the commit and is answered from it", async () => {
    const rails = need();
    const before = await rails.stats();
    const from = probe.frames.length;
    const slow = reflex("Log#slow", ["27"], 27);
    send(COURIER, slow);
    send(COURIER, slow); // on another of the 4 workers, while the first runs
    const answers = await probe.waitForCount(ack("committed", 27), 2, "both answers to seq 27", 15_000, from);
    expect(probe.frames.slice(from).filter(ack("received", 27))).toHaveLength(1);
    expect(courier(answers[1])?.operations).toEqual(courier(answers[0])?.operations);
    expect(courier(answers[1])?.replay).toBe(true);
    const stats = await rails.stats();
    expect(stats.runs["Log#slow"]).toBe(1);
    expect(stats.log).toEqual([...before.log, "27"]);
  });
});
