// The record state machine on its own: each move `transition` allows, each it refuses, and the one rule
// of whether a reflex may already have run.
import { describe, expect, test } from "vitest";
import { inFlight, mayHaveRun, needsMark, stageOf, transition, type Event, type State } from "../../../src/outbox/record";

const storing: State = { kind: "storing", writes: 1, mark: "unkept" };
const queued: State = { kind: "queued", mark: "none" };
const sent: State = { kind: "sent", mark: "here", sentUnder: "c1" };
const received: State = { kind: "received", mark: "here", sentUnder: "c1" };
const earlier: State = { kind: "queued", mark: "earlier" };

describe("allowed transitions", () => {
  test("stored: the last write landing queues it; in IndexedDB it then needs a mark, in memory it does not", () => {
    expect(transition(storing, { type: "stored", durable: true })).toEqual({ kind: "queued", mark: "none" });
    expect(transition(storing, { type: "stored", durable: false })).toEqual({ kind: "queued", mark: "unkept" });
    expect(transition({ ...storing, writes: 2 }, { type: "stored", durable: true })).toEqual({ kind: "storing", writes: 1, mark: "none" });
  });

  test("stored keeps a mark this page or an earlier one made", () => {
    expect(transition({ kind: "storing", writes: 1, mark: "here" }, { type: "stored", durable: false })).toEqual({ kind: "queued", mark: "here" });
    expect(transition({ kind: "storing", writes: 1, mark: "earlier" }, { type: "stored", durable: false })).toEqual({ kind: "queued", mark: "earlier" });
    expect(transition({ kind: "storing", writes: 1, mark: "failed" }, { type: "stored", durable: true })).toEqual({ kind: "queued", mark: "failed" });
  });

  test("moved: from any stage to storing, remembering where it was sent; a second move counts a second write", () => {
    expect(transition(sent, { type: "moved" })).toEqual({ kind: "storing", writes: 1, mark: "here", sentUnder: "c1" });
    expect(transition(storing, { type: "moved" })).toEqual({ kind: "storing", writes: 2, mark: "unkept" });
  });

  test("marked: a record without a mark gets one, or learns it could not be stored", () => {
    expect(transition(queued, { type: "marked", durable: true })).toEqual({ kind: "queued", mark: "here" });
    expect(transition(queued, { type: "marked", durable: false })).toEqual({ kind: "queued", mark: "failed" });
  });

  test("sent, received, requeued: the round trip, and back in line keeping where it went", () => {
    expect(transition(queued, { type: "sent", under: "c1" })).toEqual({ kind: "sent", mark: "none", sentUnder: "c1" });
    expect(transition(sent, { type: "received" })).toEqual(received);
    expect(transition(sent, { type: "requeued" })).toEqual({ kind: "queued", mark: "here", sentUnder: "c1" });
    expect(transition(received, { type: "requeued" })).toEqual({ kind: "queued", mark: "here", sentUnder: "c1" });
  });

  test("expired: reported at once when it never ran, asking the server when it may have", () => {
    expect(transition(queued, { type: "expired" })).toEqual({ kind: "queued", mark: "none", void: "reported" });
    expect(transition(earlier, { type: "expired" })).toEqual({ kind: "queued", mark: "earlier", void: "asking" });
    const requeued = transition(sent, { type: "requeued" })!;
    expect(transition(requeued, { type: "expired" })).toMatchObject({ void: "asking" });
  });
});

describe("refused transitions leave the state as it was", () => {
  const refused: Array<[string, State, Event]> = [
    ["a write landing on a record with no write in flight", queued, { type: "stored", durable: true }],
    ["a write landing on one in flight", sent, { type: "stored", durable: true }],
    ["sending one whose write has not landed", storing, { type: "sent", under: "c1" }],
    ["sending one already in flight", sent, { type: "sent", under: "c2" }],
    ["sending one already received", received, { type: "sent", under: "c1" }],
    ["a received ack for one never sent", queued, { type: "received" }],
    ["a second received ack", received, { type: "received" }],
    ["requeueing one not in flight", queued, { type: "requeued" }],
    ["requeueing one being stored", storing, { type: "requeued" }],
    ["marking one already marked here", { kind: "queued", mark: "here" }, { type: "marked", durable: true }],
    ["marking one an earlier page marked (it would forget it may have run)", earlier, { type: "marked", durable: true }],
    ["marking one in memory only", { kind: "queued", mark: "unkept" }, { type: "marked", durable: true }],
    ["a failed mark after a stored one", { kind: "queued", mark: "here" }, { type: "marked", durable: false }],
    ["expiring one in flight", sent, { type: "expired" }],
    ["expiring one being stored", storing, { type: "expired" }],
    ["expiring a tombstone again", { kind: "queued", mark: "none", void: "reported" }, { type: "expired" }],
    ["turning an asking tombstone into a reported one", { kind: "queued", mark: "earlier", void: "asking" }, { type: "expired" }],
  ];
  test.each(refused)("%s", (_why, state, event) => {
    expect(transition(state, event)).toBeUndefined();
  });
});

describe("may this reflex already have run?", () => {
  test("yes once this page sent it, through requeues and moves to another clientId", () => {
    const requeued = transition(sent, { type: "requeued" })!;
    const moved = transition(requeued, { type: "moved" })!;
    const landed = transition(moved, { type: "stored", durable: true })!;
    for (const state of [sent, received, requeued, moved, landed]) expect(mayHaveRun(state)).toBe(true);
  });

  test("yes when an earlier page left its attempted mark", () => {
    expect(mayHaveRun(earlier)).toBe(true);
  });

  test("no for this page's own mark before it sends, a failed mark, or none", () => {
    for (const mark of ["none", "unkept", "here", "failed"] as const) expect(mayHaveRun({ kind: "queued", mark })).toBe(false);
  });
});

test("needsMark: only a record in IndexedDB without a mark, unless it is a tombstone that never ran", () => {
  expect(needsMark(queued)).toBe(true);
  expect(needsMark({ ...queued, void: "asking" })).toBe(true);
  expect(needsMark({ ...queued, void: "reported" })).toBe(false);
  for (const mark of ["unkept", "here", "failed", "earlier"] as const) expect(needsMark({ kind: "queued", mark })).toBe(false);
});

test("stageOf and inFlight: a record being stored is reported queued and is not in flight", () => {
  expect(stageOf(storing)).toBe("queued");
  expect([storing, queued, sent, received].map(inFlight)).toEqual([false, false, true, true]);
  expect(stageOf(received)).toBe("received");
});
