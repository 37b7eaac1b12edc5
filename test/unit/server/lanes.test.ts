// @vitest-environment node
// Lanes on their own: the bound on held items and what happens when a hook throws (issue 10, item 7).
import { describe, expect, it } from "vitest";
import { Lanes, type LaneHooks, type LaneItem } from "../../../src/server/lanes";
import { until } from "./client";

function lanes(overrides: Partial<LaneHooks<LaneItem>> = {}, maxHeld = 4, gapWait = 60_000) {
  const seen = { processed: [] as number[], gaps: [] as number[], overflow: [] as Array<[number, number | undefined]>, errors: [] as unknown[] };
  let last = 0;
  const hooks: LaneHooks<LaneItem> = {
    lastSeq: async () => last,
    process: async (_key, item) => {
      seen.processed.push(item.seq);
      if (item.seq === last + 1) last = item.seq;
    },
    gap: (_key, item) => void seen.gaps.push(item.seq),
    error: (_key, error) => void seen.errors.push(error),
    overflow: (_key, item, expected) => void seen.overflow.push([item.seq, expected]),
    ...overrides,
  };
  return { lanes: new Lanes(hooks, gapWait, maxHeld), seen };
}

const item = (seq: number): LaneItem => ({ seq, arrivedAt: Date.now() });

describe("Lanes", () => {
  it("holds at most maxHeld; the excess ahead is answered with the expected seq, and the next seq still runs", async () => {
    const { lanes: l, seen } = lanes();
    l.push("k", item(100));
    await until(() => l.held === 1, "first held");
    for (const seq of [101, 102, 103, 104, 105]) l.push("k", item(seq));
    expect(l.held).toBe(4);
    expect(seen.overflow).toEqual([[104, 1], [105, 1]]);
    l.push("k", item(1)); // runnable: takes the place of the furthest-ahead held one
    expect(seen.overflow).toEqual([[104, 1], [105, 1], [103, 1]]);
    await until(() => seen.processed.includes(1), "seq 1 ran");
    expect(l.held).toBe(3);
  });

  it("reports a throwing hook instead of leaving an unhandled rejection", async () => {
    const boom = new Error("gap hook bug");
    const { lanes: l, seen } = lanes({ gap: () => { throw boom; } }, 4, 0);
    l.push("k", item(50));
    await until(() => seen.errors.length > 0, "error reported");
    expect(seen.errors[0]).toBe(boom);
  });
});
