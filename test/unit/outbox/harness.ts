// A hand-driven server and link for outbox tests. The server follows docs/PROTOCOL.md §4 (dedup by
// clientId + last seq, received → committed, gap, conflict, tombstones) or, with `extension: false`,
// plays a plain StimulusReflex server. Messages go through the real protocol validator on the way back.
import { IDBFactory } from "fake-indexeddb";
import { classifyMessage } from "../../../src/protocol/validate";
import { journalReset } from "../../../src/outbox/journal";
import { installLocks, LockManagerDouble } from "../../../src/outbox/testing";
import type { Operation, ReflexPayload } from "../../../src/protocol/types";
import { Outbox, type OutboundReflex, type OutboxOptions, type StageDetail, type StaleReflex } from "../../../src/outbox";

type Result = ({ operations: Operation[] } | { error: string }) & { id: string };

export class FakeServer {
  extension = true;
  /** The hello's `identity` (the connected user), when set. */
  identity: string | undefined;
  /** Targets whose handler raises. */
  readonly failing = new Set<string>();
  /** Reflex ids in the order their handlers actually ran. */
  readonly ran: string[] = [];
  readonly last = new Map<string, number>();
  private readonly results = new Map<string, Result>();
  private counter = 0;

  /** The server's answers to one inbound message, as channel messages. */
  handle(message: OutboundReflex): unknown[] {
    const { courier } = message;
    if (!this.extension || !courier) return [this.plain(message as ReflexPayload)];
    const { clientId, seq } = courier;
    const key = this.key(clientId);
    const last = this.last.get(key) ?? 0;
    const ack = (kind: string, extra: object = {}) => ({ courier: { v: 1, ack: kind, id: message.id, clientId, seq, ...extra } });
    if (seq <= last) {
      const kept = this.results.get(`${key}#${seq}`);
      const stored = kept ?? { id: message.id, operations: [] };
      if (stored.id !== message.id) return [ack("conflict")];
      const flags = kept ? { replay: true } : { pruned: true };
      return ["error" in stored ? ack("failed", { error: stored.error }) : ack("committed", { operations: stored.operations, ...flags })];
    }
    if (seq > last + 1) return [ack("gap", { expected: last + 1 })];
    const result: Result = courier.void ? { id: message.id, error: "expired" } : this.run(message as ReflexPayload);
    this.last.set(key, seq);
    this.results.set(`${key}#${seq}`, result);
    return [ack("received"), "error" in result ? ack("failed", { error: result.error }) : ack("committed", { operations: result.operations })];
  }

  hello(clientId: string): unknown {
    const identity = this.identity === undefined ? {} : { identity: this.identity };
    return { courier: { v: 1, hello: true, committed: { [clientId]: this.last.get(this.key(clientId)) ?? 0 }, ...identity } };
  }

  /** Dedup state is per (user, clientId), as PROTOCOL.md §4 asks; no identity = one anonymous user. */
  private key(clientId: string): string {
    return this.identity === undefined ? clientId : `${this.identity}\u0000${clientId}`;
  }

  private run(payload: ReflexPayload): Result {
    this.ran.push(payload.id);
    if (this.failing.has(payload.target)) return { id: payload.id, error: `${payload.target} raised` };
    return { id: payload.id, operations: [{ operation: "morph", selector: "#count", html: String(++this.counter), reflexId: payload.id }] };
  }

  private plain(payload: ReflexPayload): unknown {
    const result = this.run(payload);
    const operations =
      "error" in result
        ? [{ operation: "dispatchEvent", name: "stimulus-reflex:morph-error", detail: { error: result.error }, reflexId: payload.id }]
        : result.operations;
    return { cableReady: true, operations, version: "5.0.6" };
  }
}

/** One tab's connection: what `send` puts on the wire waits in `inbox` until the test delivers it. */
export class FakeLink {
  online = false;
  readonly wire: OutboundReflex[] = [];
  inbox: OutboundReflex[] = [];
  outbox!: Outbox;

  constructor(readonly server: FakeServer) {}

  send = (payload: OutboundReflex): boolean => {
    if (!this.online) return false;
    const copy = JSON.parse(JSON.stringify(payload)) as OutboundReflex;
    this.wire.push(copy);
    this.inbox.push(copy);
    return true;
  };

  connect(): void {
    if (this.server.extension) this.push(this.server.hello(this.outbox.clientId));
    this.online = true;
    this.outbox.subscribed();
  }

  /** The socket drops: whatever had not reached the server is lost. */
  drop(): void {
    this.online = false;
    this.inbox = [];
    this.outbox.unsubscribed();
  }

  /** Delivers up to `count` waiting messages to the server and its answers back (`keep` filters answers). */
  deliver(count = Infinity, keep: (answer: unknown) => boolean = () => true): void {
    while (count-- > 0 && this.inbox.length) {
      for (const answer of this.server.handle(this.inbox.shift()!)) if (keep(answer)) this.push(answer);
    }
  }

  /** Keeps delivering until the wire is quiet (answers may cause resends). */
  settle(): void {
    for (let round = 0; round < 100 && this.inbox.length; round++) this.deliver();
  }

  /** Loses the next waiting message on the wire. */
  lose(count = 1): void {
    this.inbox.splice(0, count);
  }

  push(data: unknown): void {
    const message = classifyMessage(JSON.parse(JSON.stringify(data)));
    if (message instanceof Error) throw message;
    this.outbox.received(message);
  }
}

export interface Recorder {
  stages: StageDetail[];
  applied: Operation[][];
  pending: number[];
  degraded: unknown[];
  stale: StaleReflex[][];
  /** Stage and apply calls interleaved, in call order. */
  log: string[];
}

/** Opens an outbox wired to `link`, recording every hook call. */
export function openTab(link: FakeLink, options: Partial<OutboxOptions> = {}): { outbox: Outbox; seen: Recorder } {
  const seen: Recorder = { stages: [], applied: [], pending: [], degraded: [], stale: [], log: [] };
  const outbox = Outbox.open(
    { identity: "user-1", pageUrl: () => PAGE_URL, ...options },
    {
      send: link.send,
      stage: (detail) => void (seen.stages.push(detail), seen.log.push(`stage ${detail.stage}`)),
      apply: (operations) => void (seen.applied.push(operations), seen.log.push("apply")),
      stale: (reflexes) => void seen.stale.push(reflexes),
      pendingChanged: (count) => void seen.pending.push(count),
      storageDegraded: (error) => void seen.degraded.push(error),
    },
  );
  link.outbox = outbox;
  return { outbox, seen };
}

/** The URL `payload()` is made for, and the one every test tab shows unless it says otherwise. */
export const PAGE_URL = "http://127.0.0.1/";

let counter = 0;
export function payload(target = "Counter#increment", extra: Partial<ReflexPayload> = {}): ReflexPayload {
  return {
    target, args: [], id: `reflex-${++counter}`, url: PAGE_URL, attrs: {}, dataset: { dataset: {}, datasetAll: {} },
    selectors: [], formData: "", permanentAttributeName: "data-reflex-permanent", tabId: "tab", version: "3.5.5",
    reflexController: "stimulus-reflex", inner_html: "", text_content: "", resolveLate: false, suppressLogging: false,
    xpathController: "", xpathElement: "", params: {}, ...extra,
  };
}

export function freshIndexedDB(): void {
  globalThis.indexedDB = new IDBFactory();
}

/** A fresh browser profile: empty IndexedDB, sessionStorage and localStorage, Web Locks present. */
export function freshProfile(): void {
  freshIndexedDB();
  sessionStorage.clear();
  localStorage.clear();
  journalReset();
  installLocks(new LockManagerDouble());
}

/** Tabs of one profile against one server, each on its own link; `closeAll` in afterEach. */
export function tabsOf(server: FakeServer, options: Partial<OutboxOptions> = {}) {
  const links: FakeLink[] = [];
  return {
    tab() {
      const link = new FakeLink(server);
      links.push(link);
      return { link, ...openTab(link, options) };
    },
    closeAll: () => links.splice(0).forEach((link) => link.outbox?.close()),
  };
}

/** Every key and value in the outbox database, read through its own connection. */
export async function stored(): Promise<Array<{ key: IDBValidKey; value: unknown }>> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open("cable-courier");
    request.onupgradeneeded = () => request.result.createObjectStore("outbox");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const tx = db.transaction("outbox", "readonly");
  const store = tx.objectStore("outbox");
  const [keys, values] = await Promise.all(
    [store.getAllKeys(), store.getAll()].map(
      (request) => new Promise<unknown[]>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result as unknown[]);
        request.onerror = () => reject(request.error);
      }),
    ),
  );
  db.close();
  return keys.map((key, i) => ({ key: key as IDBValidKey, value: values[i] }));
}

export const storedRecords = async () => (await stored()).filter(({ key }) => (key as unknown[])[0] === "r");

/** Waits for a condition by letting microtasks and IndexedDB tasks run (no fixed sleeps). */
export async function until(condition: () => boolean | Promise<boolean>, what = "condition"): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const seqs = (wire: OutboundReflex[]) => wire.map((m) => m.courier?.seq);
