// The cable_courier gem in puma (test/rails/gem/config.ru: a Rails 6.1 app on the unmodified
// StimulusReflex 3.5.5, real Reflex classes, the gem's ActiveRecord store on a sqlite file): stamped
// reflexes sent out of order run once each in seq order on ActionCable's pool of 4 workers, and after
// puma is SIGKILLed and started again a resent reflex is answered from the store, not run again; another
// user naming the same clientId neither reads nor consumes the first user's lane; a burst on a
// subscription that asked for batched acks (PROTOCOL.md §3) is answered in batches, each reflex once.
import { afterAll, beforeAll, expect, test } from "vitest";
import { CableProbe, type Frame } from "./cable-probe";
import { startGemApp, type GemApp } from "./gem-app";

let app: GemApp;
let port = 0;
const stats = () => app.stats();

const IDENTIFIER = JSON.stringify({ channel: "StimulusReflex::Channel", courier: 1, clientId: "tab-1" });

function reflex(id: string, seq: number, label: string, identifier = IDENTIFIER): object {
  const data = {
    target: "CounterReflex#increment", id, url: `http://127.0.0.1:${port}/`, version: "3.5.5", args: [],
    attrs: {}, dataset: { dataset: { "data-label": label }, datasetAll: {} }, selectors: [], tabId: "t",
    permanentAttributeName: "data-reflex-permanent", formData: "", params: {},
    courier: { v: 1, clientId: (JSON.parse(identifier) as { clientId: string }).clientId, seq },
  };
  return { command: "message", identifier, data: JSON.stringify(data) };
}

async function subscribed(user = "alice", identifier = IDENTIFIER): Promise<CableProbe> {
  const probe = await CableProbe.connect(`ws://127.0.0.1:${port}/cable`, `http://127.0.0.1:${port}`, { Cookie: `user=${user}` });
  probe.send({ command: "subscribe", identifier });
  await probe.waitFor((f) => f.type === "confirm_subscription", "confirm_subscription");
  return probe;
}

const ack = (kind: string, id?: string) => (f: Frame) => {
  const c = (f.message as { courier?: { ack?: string; id?: string } } | undefined)?.courier;
  return c?.ack === kind && (id === undefined || c.id === id);
};

beforeAll(async () => {
  app = await startGemApp();
  port = app.port;
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

test("out-of-order stamped reflexes run once each in seq order; after SIGKILL a resend is replayed", async () => {
  const probe = await subscribed();
  const hello = probe.frames.find((f) => (f.message as { courier?: { hello?: boolean } })?.courier?.hello);
  expect((hello?.message as { courier: { committed: Record<string, number> } }).courier.committed).toEqual({ "tab-1": 0 });

  for (const seq of [3, 1, 4, 2, 5]) probe.send(reflex(`r${seq}`, seq, `n${seq}`));
  await probe.waitForCount(ack("committed"), 5, "five commits", 30_000);
  const commits = probe.frames.filter(ack("committed")).map((f) => (f.message as { courier: { seq: number } }).courier.seq);
  expect(commits).toEqual([1, 2, 3, 4, 5]);
  expect((await stats()).notes).toEqual(["n1", "n2", "n3", "n4", "n5"]);
  probe.close();

  await app.restart({ hard: true }); // SIGKILL, like a crash
  const again = await subscribed();
  const hello2 = again.frames.find((f) => (f.message as { courier?: { hello?: boolean } })?.courier?.hello);
  expect((hello2?.message as { courier: { committed: Record<string, number> } }).courier.committed).toEqual({ "tab-1": 5 });
  again.send(reflex("r4", 4, "n4"));
  const replay = await again.waitFor(ack("committed", "r4"), "the replayed commit");
  const courier = (replay.message as { courier: { replay?: boolean; operations: { selector: string; html: string }[] } }).courier;
  expect(courier.replay).toBe(true);
  expect(courier.operations[0]).toMatchObject({ selector: "#count", html: "4" });
  expect((await stats()).notes).toHaveLength(5);
  again.close();
}, 90_000);

// Runs after the test above (vitest runs a file's tests in order): alice's tab-1 has committed 1..5.
test("another user naming the same clientId gets a lane of its own: alice's results are neither replayed nor consumed", async () => {
  const before = (await stats()).notes.length;
  const bob = await subscribed("bob");
  const hello = bob.frames.find((f) => (f.message as { courier?: { hello?: boolean } })?.courier?.hello);
  expect((hello?.message as { courier: { committed: Record<string, number> } }).courier.committed).toEqual({ "tab-1": 0 });
  bob.send(reflex("r1", 1, "bob1")); // alice committed tab-1's seq 1 with this very id
  const commit = await bob.waitFor(ack("committed", "r1"), "bob's commit");
  expect((commit.message as { courier: { replay?: boolean } }).courier.replay).toBeUndefined();
  expect((await stats()).notes.slice(before)).toEqual(["bob1"]);
  bob.close();
  const alice = await subscribed("alice");
  const aliceHello = alice.frames.find((f) => (f.message as { courier?: { hello?: boolean } })?.courier?.hello);
  expect((aliceHello?.message as { courier: { committed: Record<string, number> } }).courier.committed).toEqual({ "tab-1": 5 });
  alice.close();
}, 60_000);

interface Ack { ack: string; id: string; seq: number; expected?: number; replay?: boolean; operations?: { selector?: string; html?: string }[] }
interface Entry extends Partial<Ack> { through?: number; ids?: string[] }

/** The acks of one frame, a batch read as the per-reflex acks it stands for (as src/protocol expands it). */
function acksOf(frame: Frame): Ack[] {
  const courier = (frame.message as { courier?: Ack & { batch?: Entry[] } } | undefined)?.courier;
  if (!courier) return [];
  if (!courier.batch) return courier.ack ? [courier] : [];
  return courier.batch.flatMap((e) =>
    e.through === undefined ? [e as Ack] : (e.ids ?? []).map((id, i) => ({ ack: "received", id, seq: (e.seq as number) + i })),
  );
}

test("a burst with batched acks: answered in batch messages, every reflex committed once, run once in seq order", async () => {
  const identifier = JSON.stringify({ channel: "StimulusReflex::Channel", courier: 1, clientId: "tab-b", courierAcks: "batch" });
  let probe = await subscribed("carol", identifier);
  const start = await stats();
  const before = start.notes.length;
  const count = 40;
  const seqs = Array.from({ length: count }, (_, i) => i + 1);
  const send = (seq: number) => probe.send(reflex(`b${seq}`, seq, `b${seq}`, identifier));
  for (const seq of [...seqs.slice(0, 8).reverse(), ...seqs.slice(8)]) send(seq);
  // Frames of every socket of this test: the gem closes one on a store error (PROTOCOL §4), and the
  // client then reconnects and sends again whatever has no commit; so does this test.
  const earlier: Frame[] = [];
  const frames = () => [...earlier, ...probe.frames];
  const all = () => frames().flatMap(acksOf);
  const fresh = () => all().filter((a) => a.ack === "committed" && !a.replay);
  const gaps = () => all().filter((a) => a.ack === "gap");
  const wrong = () => all().filter((a) => !["received", "committed", "gap"].includes(a.ack));
  const uncommitted = (from = 1) => {
    const done = new Set(all().filter((a) => a.ack === "committed").map((a) => a.seq));
    return seqs.filter((seq) => seq >= from && !done.has(seq));
  };
  // As the client does: a `gap` (a seq held past the server's 2 s on a loaded machine) → send again from
  // `expected` what has no commit yet. Ends early on any other answer, so the assertions below name it.
  let answeredGaps = 0;
  let reconnects = 0;
  while (uncommitted().length > 0 && wrong().length === 0) {
    try {
      await probe.waitForCount(() => uncommitted().length === 0 || gaps().length > answeredGaps || wrong().length > 0, 1, `${count} commits`, 60_000);
    } catch (error) {
      if (!probe.closed || ++reconnects > 5) throw error;
      console.warn(`the gem closed the socket (reconnect ${reconnects}); puma said:\n${app.output().split("\n").filter((l) => l.includes("courier")).slice(-5).join("\n")}`);
      earlier.push(...probe.frames);
      probe = await subscribed("carol", identifier);
      uncommitted().forEach(send);
      continue;
    }
    for (const gap of gaps().slice(answeredGaps)) uncommitted(gap.expected ?? 1).forEach(send);
    answeredGaps = gaps().length;
  }
  expect(wrong()).toEqual([]);
  expect(fresh().map((a) => a.seq)).toEqual(seqs); // once each, in seq order
  expect(fresh().map((a) => a.id)).toEqual(seqs.map((s) => `b${s}`));
  expect(fresh().map((a) => a.operations?.[0]?.html)).toEqual(seqs.map((s) => String(before + s)));
  expect(new Set(all().filter((a) => a.ack === "received").map((a) => a.seq))).toEqual(new Set(seqs));
  const batches = frames().filter((f) => (f.message as { courier?: { batch?: unknown } } | undefined)?.courier?.batch);
  expect(batches.length).toBeGreaterThan(0);
  expect(frames().filter((f) => acksOf(f).length > 0).length).toBeLessThan(all().length); // fewer messages than acks
  const after = await stats();
  expect(after.notes.slice(before)).toEqual(seqs.map((s) => `b${s}`));
  expect(after.lanes["tab-b"]).toBe(count);
  expect((after.runs["Counter#increment"] ?? 0) - (start.runs["Counter#increment"] ?? 0)).toBe(count);
  probe.close();
}, 120_000);
