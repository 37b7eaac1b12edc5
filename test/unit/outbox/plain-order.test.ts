// Issue 9 item 10: against a plain StimulusReflex server, which runs one connection's messages on a
// pool of four threads (so what is in flight together may run in any order) and answers nothing for an
// unknown reflex method. A lane sends its next reflex only once the previous one is answered
// (plainWindow 1), and one never answered fails as `uncertain` after answerTimeout, never resent.
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import type { OutboundReflex } from "../../../src/outbox";
import { FakeLink, FakeServer, freshProfile, openTab, payload, until } from "./harness";

const WORKERS = 4;

/** A plain server's pool: up to four waiting messages are taken together and finish last-taken first. */
function runOnPool(link: FakeLink, silentFor: Set<string>): void {
  const taken = link.inbox.splice(0, WORKERS);
  for (const message of taken.reverse()) {
    if (silentFor.has(message.target)) continue; // SR: no such method, no answer at all
    for (const answer of link.server.handle(message as OutboundReflex)) link.push(answer);
  }
}

let server: FakeServer;
let link: FakeLink;
beforeEach(() => {
  freshProfile();
  server = new FakeServer();
  server.extension = false;
  link = new FakeLink(server);
});
afterEach(() => {
  link.outbox?.close();
  vi.useRealTimers();
});

test("a backlog of ten replayed to a four-worker plain server runs in click order", async () => {
  const { outbox, seen } = openTab(link);
  await outbox.ready;
  const reflexes = Array.from({ length: 10 }, () => outbox.enqueue(payload()));
  await until(() => seen.stages.filter((s) => s.stage === "queued").length === 10, "stored");
  link.connect();
  for (let round = 0; round < 100 && outbox.pending > 0; round++) {
    await until(() => link.inbox.length > 0 || outbox.pending === 0, "a send");
    runOnPool(link, new Set());
  }
  await Promise.all(reflexes);
  expect(server.ran).toEqual(reflexes.map((r) => r.id));
});

test("an unknown target is never answered: it fails as uncertain after answerTimeout, is not resent, and the next one goes", async () => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  const { outbox, seen } = openTab(link, { answerTimeout: 30_000 });
  await outbox.ready;
  link.connect();
  const unknown = outbox.enqueue(payload("Counter#nope"));
  unknown.catch(() => undefined);
  const next = outbox.enqueue(payload());
  await vi.waitFor(() => expect(link.wire).toHaveLength(1));
  runOnPool(link, new Set(["Counter#nope"]));
  expect(outbox.pending).toBe(2);
  await vi.advanceTimersByTimeAsync(29_000);
  expect(link.wire).toHaveLength(1); // the next one waits for the first's answer
  await vi.advanceTimersByTimeAsync(1_000);
  await expect(unknown).rejects.toMatchObject({ reason: "uncertain" });
  await vi.waitFor(() => expect(link.wire).toHaveLength(2));
  runOnPool(link, new Set(["Counter#nope"]));
  await next;
  expect(link.wire.map((m) => m.id)).toEqual([unknown.id, next.id]); // never resent
  expect(outbox.pending).toBe(0);
  expect(seen.stages).toContainEqual(expect.objectContaining({ id: unknown.id, stage: "failed", reason: "uncertain" }));
});
