// Issue 10 items 2-4, in the lane: a connection whose hello we could not fully read still speaks the
// extension when acks come on it; `received` before the confirmation, or for a record still queued,
// never leaves a reflex waiting in flight without being sent.
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { FakeLink, FakeServer, freshProfile, openTab, payload, until } from "./harness";

let server: FakeServer;
let link: FakeLink;
beforeEach(() => {
  freshProfile();
  server = new FakeServer();
  link = new FakeLink(server);
});
afterEach(() => {
  link.outbox?.close();
  vi.useRealTimers();
});

const received = (id: string, clientId: string, seq: number) => ({ courier: { v: 1, ack: "received", id, clientId, seq } });

test("a Rails-style hello (v \"1\", identity null, committed {cid: null}) keeps the connection extension-mode: a drop requeues, never uncertain", async () => {
  const { outbox } = openTab(link);
  await outbox.ready;
  link.push({ courier: { v: "1", hello: true, identity: null, committed: { [outbox.clientId]: null } } });
  link.online = true;
  outbox.subscribed();
  const reflex = outbox.enqueue(payload());
  await until(() => link.inbox.length === 1, "sent");
  link.deliver(1, (answer) => !JSON.stringify(answer).includes('"committed"')); // received only
  link.drop();
  expect(outbox.pending).toBe(1);
  link.connect();
  link.settle();
  await expect(reflex).resolves.toMatchObject({ id: reflex.id });
  expect(server.ran).toEqual([reflex.id]);
});

test("acks on a connection with no hello at all make it extension-mode: in flight is requeued on a drop", async () => {
  const { outbox } = openTab(link);
  await outbox.ready;
  link.online = true;
  outbox.subscribed(); // no hello: plain until the server shows otherwise
  const reflex = outbox.enqueue(payload());
  await until(() => link.inbox.length === 1, "sent");
  link.deliver(1, (answer) => !JSON.stringify(answer).includes('"committed"'));
  link.drop();
  expect(outbox.pending).toBe(1);
  link.connect();
  link.settle();
  await expect(reflex).resolves.toMatchObject({ id: reflex.id });
});

test("received for a reflex still queued does not mark it in flight: it goes out as soon as the link allows", async () => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  const { outbox, seen } = openTab(link, { commitTimeout: 60_000 });
  await outbox.ready;
  const reflex = outbox.enqueue(payload());
  await vi.waitFor(() => expect(seen.stages.some((s) => s.stage === "queued")).toBe(true));
  // Before the confirmation, a stray received for it (e.g. from the server's view of an earlier socket).
  link.push(server.hello(outbox.clientId));
  link.push(received(reflex.id, outbox.clientId, 1));
  expect(seen.stages.map((s) => s.stage)).toEqual(["queued"]);
  link.online = true;
  outbox.subscribed();
  await vi.waitFor(() => expect(link.wire).toHaveLength(1)); // at once, not after commitTimeout
  link.settle();
  await expect(reflex).resolves.toMatchObject({ id: reflex.id });
});
