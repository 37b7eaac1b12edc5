// @vitest-environment node
import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../../src/server";

describe("MemoryStore", () => {
  it("starts every client at 0 and advances last with each commit", async () => {
    const store = new MemoryStore();
    expect(await store.lastSeq("a")).toBe(0);
    await store.commit("a", 1, { operations: [{ operation: "remove", selector: "#x" }] });
    await store.commit("a", 2, { error: "boom" });
    expect(await store.lastSeq("a")).toBe(2);
    expect(await store.lastSeq("b")).toBe(0);
    expect(await store.result("a", 1)).toEqual({ operations: [{ operation: "remove", selector: "#x" }] });
    expect(await store.result("a", 2)).toEqual({ error: "boom" });
    expect(await store.result("a", 3)).toBeUndefined();
    expect(store.size).toBe(1);
  });

  it("refuses a commit that skips or repeats a seq", async () => {
    const store = new MemoryStore();
    await expect(store.commit("a", 2, {})).rejects.toThrow(/expected 1/);
    await store.commit("a", 1, {});
    await expect(store.commit("a", 1, {})).rejects.toThrow(/expected 2/);
    expect(await store.lastSeq("a")).toBe(1);
  });

  it("keeps only the last `keep` results per client", async () => {
    const store = new MemoryStore({ keep: 3 });
    for (let seq = 1; seq <= 5; seq++) await store.commit("a", seq, { operations: [] });
    expect(await store.result("a", 2)).toBeUndefined();
    expect(await store.result("a", 3)).toEqual({ operations: [] });
    expect(await store.result("a", 5)).toEqual({ operations: [] });
    expect(await store.lastSeq("a")).toBe(5);
  });
});
