// Two live pages under one clientId: every load mints its own and heartbeats keep other pages off it,
// but should it happen anyway (a page that kept sending through a late beat), records are keyed by
// reflex id so neither overwrites the other, and the server's `conflict` answer moves the loser to a
// fresh clientId (PROTOCOL.md §5).
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { Browser } from "./browser";
import { payload, storedRecords, until } from "./harness";

let browser: Browser;
beforeEach(() => (browser = new Browser({ locks: false })));
afterEach(() => browser.close());

const ids = async () => (await storedRecords()).map(({ value }) => (value as { id: string }).id);

/** Tab B shares tab A's clientId, both from seq 1 (B is made to mint it: its first id names the page, its second the client). */
async function duplicatedTabs(window?: number) {
  const a = await browser.tab();
  a.link.connect();
  const mint = crypto.randomUUID.bind(crypto);
  const shared = a.outbox.clientId as ReturnType<typeof crypto.randomUUID>;
  const spy = vi.spyOn(crypto, "randomUUID").mockImplementationOnce(mint).mockImplementationOnce(() => shared);
  const b = await browser.tab({ window });
  spy.mockRestore();
  expect(b.outbox.clientId).toBe(a.outbox.clientId);
  b.link.connect();
  return { a, b };
}


describe("conflict", () => {
  test("two tabs sharing a clientId both keep their record at the same seq, and each reflex runs once", async () => {
    const { a, b } = await duplicatedTabs();
    const x = a.outbox.enqueue(payload());
    const y = b.outbox.enqueue(payload());
    await until(() => a.link.wire.length === 1 && b.link.wire.length === 1, "both sent");
    expect([a.link.wire[0].courier, b.link.wire[0].courier]).toEqual([
      { v: 1, clientId: a.outbox.clientId, seq: 1 },
      { v: 1, clientId: a.outbox.clientId, seq: 1 },
    ]);
    expect(await ids()).toEqual(expect.arrayContaining([x.id, y.id]));

    a.link.settle(); // x runs as seq 1
    b.link.deliver(); // y's seq 1 is taken: conflict
    await until(() => b.link.inbox.length === 1, "y sent again");
    expect(b.outbox.clientId).not.toBe(a.outbox.clientId);
    expect(b.link.wire[1]).toMatchObject({ id: y.id, courier: { v: 1, clientId: b.outbox.clientId, seq: 1 } });
    b.link.settle();
    await Promise.all([x, y]);
    expect(server().ran).toEqual([x.id, y.id]);
    await until(async () => (await ids()).length === 0, "store empty");
  });

  test("a conflict moves the later records not yet sent, in order, and the next reflex continues the fresh client", async () => {
    const { a, b } = await duplicatedTabs(1);
    const x = a.outbox.enqueue(payload());
    const ys = [b.outbox.enqueue(payload()), b.outbox.enqueue(payload())];
    await until(() => a.link.wire.length === 1 && b.link.wire.length === 1, "sent");
    a.link.settle();
    b.link.deliver(); // y1: conflict; y2 was never sent
    await until(() => b.link.inbox.length === 1, "y1 resent");
    b.link.settle();
    await Promise.all([x, ...ys]);
    expect(server().ran.slice(-2)).toEqual(ys.map((p) => p.id));
    expect(b.link.wire.slice(1).map((m) => m.courier?.seq)).toEqual([1, 2]);
    const next = b.outbox.enqueue(payload());
    await until(() => b.link.inbox.length === 1, "next send");
    expect(b.link.wire.at(-1)?.courier).toEqual({ v: 1, clientId: b.outbox.clientId, seq: 3 });
    b.link.settle();
    await next;
  });

  test("a later record already sent under the shared clientId is not moved: its own answer says what became of it", async () => {
    const { a, b } = await duplicatedTabs();
    const x = a.outbox.enqueue(payload());
    const ys = [b.outbox.enqueue(payload()), b.outbox.enqueue(payload())];
    await until(() => a.link.wire.length === 1 && b.link.wire.length === 2, "sent");
    a.link.settle();
    b.link.deliver(); // y1 (seq 1): conflict; y2 (seq 2) runs under the shared clientId
    await until(() => b.link.inbox.length === 1, "y1 resent");
    b.link.settle();
    await Promise.all([x, ...ys]);
    const ran = server().ran;
    expect(ran.filter((id) => id === ys[0].id || id === ys[1].id).sort()).toEqual(ys.map((p) => p.id).sort());
    expect(ran).toHaveLength(3);
    expect(b.link.wire.map((m) => m.id)).toEqual([ys[0].id, ys[1].id, ys[0].id]);
  });
});

const server = () => browser.server;
