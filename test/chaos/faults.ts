// The fault kinds the scheduler injects. Each one runs to its end (a killed server is restarted, a
// stopped one continued, offline turned back on) before the next begins, so the campaign always heals.
import type { BrowserContext } from "playwright-core";
import { waitUntil } from "../support/browser";
import type { RefServer } from "../support/ref-server";
import type { FaultProxy } from "./fault-proxy";
import type { Ledger } from "./ledger";
import { pause, type Rng } from "./rng";
import type { Tab } from "./tabs";

export const FAULT_KINDS = [
  "kill",
  "kill-in-handler",
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

const MISSED = "no ack within 3 s";

function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
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
    case "kill-in-handler": {
      // Test#block holds its handler at the gate: the SIGKILL lands after the handler began, before its commit.
      const tab = rng.pick(tabs);
      await ref.post("/test/gate?closed=1");
      const [n] = await tab.exclusive(async () => {
        const claimed = ledger.claim(tab.label);
        if (claimed.length) await tab.click(claimed[0], "Test#block");
        return claimed;
      });
      const held =
        n !== undefined &&
        (await waitUntil(() => ref.stats(), (s) => s.blocked > 0, "the handler at the gate", 5000).then(() => true, () => false));
      await ref.kill("SIGKILL");
      await ref.restart(); // a new process starts with the gate open
      return n === undefined ? "no click left" : `${tab.label} click ${n}${held ? " held in its handler" : " not reached in 5 s"}`;
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
      return cut ? "cut" : MISSED;
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
      const size = rng.int(3, 20);
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
export async function runFaults(
  world: FaultWorld,
  rng: Rng,
  kinds: readonly FaultKind[],
  gap: [number, number],
  done: () => boolean,
  deadline: number,
): Promise<void> {
  // Kinds are dealt from a seeded shuffled deck, so every kind comes up once before any repeats.
  let deck: FaultKind[] = [];
  while (!done() && Date.now() < deadline) {
    await pause(rng.int(gap[0], gap[1]));
    if (done() || kinds.length === 0) break;
    if (deck.length === 0) deck = shuffle([...kinds], rng);
    const kind = deck.pop()!;
    const at = world.ledger.now();
    const detail = await inject(kind, world, rng.fork(`${kind}@${world.ledger.faults.length}`));
    world.ledger.fault(detail === MISSED ? `${kind} (no ack seen)` : kind, at, detail);
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
