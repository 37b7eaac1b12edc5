// Batched acknowledgements (PROTOCOL.md §3): the client expands a batch into the per-reflex acks it
// stands for, or refuses it whole; the server's batch builder makes what the client reads.
import { describe, expect, test } from "vitest";
import { classifyMessage, MAX_BATCH, ProtocolError } from "../../../src/protocol/validate";
import { batchEntries } from "../../../src/server/ack-batch";
import type { CourierAck } from "../../../src/protocol/types";

const ack = (kind: CourierAck["ack"], seq: number, extra: Partial<CourierAck> = {}): CourierAck =>
  ({ v: 1, ack: kind, id: `r${seq}`, clientId: "c", seq, ...extra });

describe("classifyMessage on a batch", () => {
  test("a received run expands to one received per seq, in order, beside the other acks", () => {
    const message = classifyMessage({ courier: { v: 1, batch: [
      { ack: "received", clientId: "c", seq: 3, through: 5, ids: ["r3", "r4", "r5"] },
      { ack: "committed", id: "r3", clientId: "c", seq: 3, operations: [] },
      { ack: "failed", id: "r4", clientId: "c", seq: 4, error: "boom" },
    ] } });
    expect(message).toEqual({ kind: "batch", acks: [
      ack("received", 3), ack("received", 4), ack("received", 5),
      ack("committed", 3, { operations: [] }), ack("failed", 4, { error: "boom" }),
    ] });
  });

  test.each([
    ["ids shorter than the run", { ack: "received", clientId: "c", seq: 3, through: 5, ids: ["r3"] }],
    ["through before seq", { ack: "received", clientId: "c", seq: 5, through: 3, ids: [] }],
    ["through on another ack", { ack: "committed", clientId: "c", seq: 1, through: 1, ids: ["r1"] }],
    ["a non-string id", { ack: "received", clientId: "c", seq: 1, through: 2, ids: ["r1", 2] }],
    ["a bad ack inside", { ack: "committed", id: "r1", clientId: "c", seq: 0 }],
    ["not an object", "committed"],
  ])("is refused whole on %s", (_why, entry) => {
    const message = classifyMessage({ courier: { v: 1, batch: [ack("committed", 9), entry] } });
    expect(message).toBeInstanceOf(ProtocolError);
  });

  test("an empty, non-list or oversized batch is refused, and a run cannot expand past the bound", () => {
    for (const batch of [[], {}, Array.from({ length: MAX_BATCH + 1 }, (_, i) => ack("received", i + 1))]) {
      expect(classifyMessage({ courier: { v: 1, batch } })).toBeInstanceOf(ProtocolError);
    }
    const ids = Array.from({ length: MAX_BATCH + 1 }, (_, i) => `r${i}`);
    expect(classifyMessage({ courier: { v: 1, batch: [{ ack: "received", clientId: "c", seq: 1, through: ids.length, ids }] } }))
      .toBeInstanceOf(ProtocolError);
  });
});

describe("the server's batch, read back by the client", () => {
  test("received acks of consecutive seqs become one run; the expansion gives back every ack the server made", () => {
    const made = [ack("received", 1), ack("committed", 1), ack("received", 2), ack("committed", 2), ack("received", 3), ack("gap", 7, { expected: 4 })];
    const entries = batchEntries(made);
    expect(entries[0]).toEqual({ ack: "received", clientId: "c", seq: 1, through: 3, ids: ["r1", "r2", "r3"] });
    expect(entries).toHaveLength(4);
    const read = classifyMessage({ courier: { v: 1, batch: entries } });
    if (read instanceof ProtocolError || read.kind !== "batch") throw new Error("not a batch");
    const key = (a: CourierAck) => `${a.ack}:${a.seq}`;
    expect(read.acks.map(key).sort()).toEqual(made.map(key).sort());
  });

  test("a run breaks at a hole or another clientId, and a run of one is a plain ack", () => {
    const entries = batchEntries([ack("received", 1), ack("received", 3), { ...ack("received", 2), clientId: "d" }]);
    expect(entries).toEqual([
      { ack: "received", id: "r1", clientId: "c", seq: 1 },
      { ack: "received", id: "r3", clientId: "c", seq: 3 },
      { ack: "received", id: "r2", clientId: "d", seq: 2 },
    ]);
  });
});
