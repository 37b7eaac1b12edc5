// One browser profile for outbox tests: a fresh IndexedDB and sessionStorage, Web Locks and
// BroadcastChannel doubles (either can be left out), a FakeServer, and tabs opened on it.
import type { Outbox, OutboxOptions } from "../../../src/outbox";
import { journalReset } from "../../../src/outbox/journal";
import { installBroadcastChannel, installLocks, LockManagerDouble } from "../../../src/outbox/testing";
import { FakeLink, FakeServer, freshIndexedDB, openTab } from "./harness";

export class Browser {
  readonly server = new FakeServer();
  readonly locks: LockManagerDouble | null;
  private readonly opened: Outbox[] = [];

  constructor({ locks = true, broadcast = true } = {}) {
    freshIndexedDB();
    sessionStorage.clear();
    localStorage.clear();
    journalReset();
    this.locks = installLocks(locks ? new LockManagerDouble() : null);
    installBroadcastChannel(broadcast);
  }

  /** A page, ready. By default it is a reload of the current tab (sessionStorage kept); `newTab` clears it. */
  async tab(options: Partial<OutboxOptions> & { newTab?: boolean } = {}) {
    const { newTab = false, ...rest } = options;
    if (newTab) sessionStorage.clear();
    const link = new FakeLink(this.server);
    const { outbox, seen } = openTab(link, rest);
    this.opened.push(outbox);
    await outbox.ready;
    return { link, outbox, seen };
  }

  close(): void {
    this.opened.splice(0).forEach((outbox) => outbox.close());
  }
}
