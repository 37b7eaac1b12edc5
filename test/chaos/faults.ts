// The fault kinds the scheduler injects. Each one runs to its end (a killed server is restarted, a
// stopped one continued, offline turned back on) before the next begins, so the campaign always heals.
import type { BrowserContext } from "playwright-core";
import type { RefServer } from "../support/ref-server";
import type { FaultProxy } from "./fault-proxy";
import type { Ledger } from "./ledger";
import { pause, type Rng } from "./rng";
import type { Tab } from "./tabs";

export const FAULT_KINDS = [
  "kill",
  "stop",
  "cut-after-received",
  "cut-before-committed",
  "reload",
  "close-tab",
  "burst-reload",
  "offline",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultWorld {
  ref: RefServer;
  proxy: FaultProxy;
  context: BrowserContext;
  tabs: Tab[];
  ledger: Ledger;
}

/** Runs one fault; returns a short description for the fault log. */
export async function inject(kind: FaultKind, world: FaultWorld, rng: Rng): Promise<string> {
  const { ref, proxy, context, tabs, ledger } = world;
  switch (kind) {
    case "kill": {
      const down = rng.int(100, 1500);
      await ref.kill("SIGKILL");
      await pause(down);
      await ref.restart();
      return `down ${down} ms`;
    }
    case "stop": {
      const frozen = rng.int(300, 3000);
      process.kill(ref.pid!, "SIGSTOP");
      await pause(frozen);
      process.kill(ref.pid!, "SIGCONT");
      return `frozen ${frozen} ms`;
    }
    case "cut-after-received":
    case "cut-before-committed": {
      const cut = await proxy.cut(kind === "cut-after-received" ? "after-received" : "before-committed", 3000);
      return cut ? "cut" : "no ack within 3 s";
    }
    case "reload": {
      const tab = rng.pick(tabs);
      await tab.exclusive(() => tab.reload());
      return tab.label;
    }
    case "close-tab": {
      const tab = rng.pick(tabs);
      const closed = rng.int(100, 1000);
      await tab.exclusive(async () => {
        await tab.close();
        await pause(closed);
        await tab.open();
      });
      return `${tab.label} closed ${closed} ms`;
    }
    case "burst-reload": {
      const tab = rng.pick(tabs);
      const size = rng.int(3, 12);
      const ns = await tab.exclusive(async () => {
        const claimed = ledger.claim(tab.label, size, true);
        if (claimed.length) await tab.burstThenReload(claimed);
        return claimed;
      });
      return `${tab.label} ${ns.length} clicks`;
    }
    case "offline": {
      const off = rng.int(300, 3000);
      await context.setOffline(true);
      await pause(off);
      await context.setOffline(false);
      return `offline ${off} ms`;
    }
  }
}

/** Injects seeded faults at seeded gaps until `done()` says the clicks are spent (or the deadline). */
export async function runFaults(world: FaultWorld, rng: Rng, kinds: readonly FaultKind[], done: () => boolean, deadline: number): Promise<void> {
  while (!done() && Date.now() < deadline) {
    await pause(rng.int(200, 1200));
    if (done() || kinds.length === 0) break;
    const kind = rng.pick(kinds);
    const at = world.ledger.now();
    const detail = await inject(kind, world, rng.fork(`${kind}@${world.ledger.faults.length}`));
    world.ledger.fault(kind, at, detail);
  }
}

/** One tab's clicker: a click at each seeded interval while clicks remain. */
export async function runClicks(tab: Tab, ledger: Ledger, rng: Rng, gap: [number, number], deadline: number): Promise<void> {
  while (ledger.remaining > 0 && Date.now() < deadline) {
    await pause(rng.int(gap[0], gap[1]));
    await tab.exclusive(async () => {
      const [n] = ledger.claim(tab.label);
      if (n !== undefined) await tab.click(n);
    });
  }
}
