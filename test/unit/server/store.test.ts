// @vitest-environment node
import { describe, expect, it } from "vitest";
import { clientKey, MemoryStore, splitClientKey } from "../../../src/server";

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

  it("keeps failures longer than successes, and at least `keep` of each", async () => {
    const store = new MemoryStore({ keep: 2, keepFailures: 5 });
    await store.commit("a", 1, { id: "r1", error: "boom" });
    for (let seq = 2; seq <= 5; seq++) await store.commit("a", seq, { id: `r${seq}`, operations: [] });
    expect(await store.result("a", 1)).toEqual({ id: "r1", error: "boom" });
    expect(await store.result("a", 3)).toBeUndefined();
    expect(await store.result("a", 4)).toEqual({ id: "r4", operations: [] });
    await store.commit("a", 6, { id: "r6", operations: [] });
    expect(await store.result("a", 1)).toBeUndefined();
    const tight = new MemoryStore({ keep: 3, keepFailures: 1 }); // never fewer failures than `keep`
    for (let seq = 1; seq <= 3; seq++) await tight.commit("a", seq, { error: "x" });
    expect(await tight.result("a", 1)).toEqual({ error: "x" });
  });
});

describe("client keys", () => {
  it("namespace a clientId by user, unambiguously", () => {
    expect(clientKey(undefined, "tab")).toBe(clientKey(true, "tab"));
    expect(clientKey({ user: 7 }, "tab")).not.toBe(clientKey({ user: 8 }, "tab"));
    expect(clientKey(null, "tab")).not.toBe(clientKey(undefined, "tab"));
    // A clientId holding U+0000 cannot pose as another user's key: the user part is JSON, which never holds one.
    expect(clientKey(undefined, '"alice"\u0000tab')).not.toBe(clientKey("alice", "tab"));
    expect(splitClientKey(clientKey({ user: 7 }, "a\u0000b"))).toEqual({ user: '{"user":7}', clientId: "a\u0000b" });
    expect(splitClientKey(clientKey(undefined, "tab"))).toEqual({ user: "", clientId: "tab" });
    expect(() => clientKey(1n, "tab")).toThrow(TypeError);
  });
});

describe("MemoryStore forgets idle lanes", () => {
  const key = (clientId: string) => clientKey("user-1", clientId);

  it("grows with live clients, not page views: a lane not seen for forgetAfter is gone, a live one stays", async () => {
    let t = 0;
    const store = new MemoryStore({ forgetAfter: 1000, now: () => t });
    for (let page = 0; page < 50; page++) {
      await store.commit(key(`page-${page}`), 1, { id: `r${page}`, operations: [] });
      t += 100;
      // One long-lived tab keeps answering hellos (each reconnect asks for its lane).
      if (page === 0) await store.commit(key("live"), 1, { id: "live-1", operations: [] });
      await store.lastSeq(key("live"));
    }
    // Only the page views of the last second and the live tab remain.
    expect(store.size).toBeLessThanOrEqual(11 + 1);
    expect(await store.lastSeq(key("live"))).toBe(1);
    expect(await store.lastSeq(key("page-0"))).toBe(0);
    expect(await store.lastSeq(key("page-49"))).toBe(1);
  });

  it("by default keeps a lane past the client's default maxAge (24 h)", async () => {
    let t = 0;
    const store = new MemoryStore({ now: () => t });
    await store.commit(key("a"), 1, { id: "r1", operations: [] });
    t += 25 * 60 * 60 * 1000;
    expect(await store.lastSeq(key("a"))).toBe(1);
    t += 49 * 60 * 60 * 1000;
    expect(await store.lastSeq(key("a"))).toBe(0);
    expect(store.size).toBe(0);
  });
});
