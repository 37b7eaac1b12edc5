// A hello (extension): the mode of this connection, whether the server is ahead of our counter, and
// whose connection it is. A hello naming another user than the one our client last saw starts a fresh
// client, so that user's reflexes never queue behind the other user's (which wait for their user).
import type { CourierHello } from "../protocol/types.js";
import type { Context } from "./context.js";
import type { Entry } from "./entry.js";
import { pruneForeignOnHello } from "./load.js";
import { relocate } from "./relocate.js";

export function onHello(hello: CourierHello, ctx: Context): void {
  const { ledger, delivery, logger, persistence } = ctx;
  delivery.hello(hello);
  const own = ledger.own;
  if (!own) return;
  const { identity } = hello;
  if (!ledger.helloSeenHere && identity !== undefined) {
    // This page's first hello names whose page it is: what was clicked on it before is that user's.
    // (In memory only: after a reload before it is sent, the next page's first hello binds it again.)
    for (const entry of ledger.unbound) if (ledger.has(entry)) entry.record = { ...entry.record, helloIdentity: identity };
  }
  if (!ledger.helloSeenHere && identity !== undefined) pruneForeignOnHello(ctx, identity);
  ledger.helloSeenHere = true;
  ledger.unbound.clear();
  if (identity !== undefined && identity !== ledger.helloIdentity) {
    const previous = ledger.helloIdentity;
    ledger.helloIdentity = identity; // new records are stamped with it from now on
    if (previous !== undefined) {
      // Records queued since the switch move along; the earlier user's stay behind and wait.
      const pick = (entry: Entry) => entry.record.helloIdentity === identity;
      void relocate(own, { pick, renew: true, why: "the connection is another user's" }, ctx);
      return;
    }
    persistence
      .commit({ meta: ledger.meta(own.clientId, ledger.nextSeq, true) })
      .catch((error) => logger.log("warn", "outbox: could not store the hello identity", error));
  }
  // The server has seqs of ours we never handed out: our counter went back (storage restored or
  // rolled back). New reflexes under this clientId would be taken for duplicates and never run.
  if ((hello.committed[own.clientId] ?? 0) >= ledger.nextSeq) {
    logger.log("warn", `outbox: server is ahead of client ${own.clientId}; continuing under a fresh clientId`);
    const from = ledger.nextSeq;
    void relocate(own, { pick: (entry) => entry.record.seq >= from, renew: true, why: "the server is ahead of our seqs" }, ctx);
  }
}
