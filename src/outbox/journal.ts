// The write-ahead journal: a reflex accepted by enqueue is written here synchronously, before its
// IndexedDB transaction exists, so a reload, navigation or tab close in the next millisecond does not
// lose it (issue 10 item 3, RELIABILITY.md finding 4). localStorage, so it outlives a closed tab, one key
// per reflex under the clientId it is filed under (`cable-courier:journal:<clientId>:<id>`): only the
// page that owns that clientId's lock or heartbeat claim drains it, so no live page's entries are taken
// (adoption.ts calls `drainJournal`). Payloads are sanitized first (`sanitize`: a detached copy without
// anything secret), so nothing secret is ever journaled or stored. Every step is best effort: a full or
// disabled storage only narrows the window back to IndexedDB's own.
import { isSecret } from "../protocol/secrets.js";
import type { ReflexPayload } from "../protocol/types.js";
import type { Context } from "./context.js";
import type { OutboxRecord } from "./storage.js";

/** A detached, structured-cloneable copy (JSON is what goes on the wire anyway), minus any password. */
export function sanitize(payload: ReflexPayload, id: string): ReflexPayload {
  const copy = JSON.parse(JSON.stringify(payload)) as ReflexPayload;
  if (typeof copy !== "object" || copy === null || Array.isArray(copy)) throw new TypeError("the payload is not an object");
  copy.id = id;
  delete copy.courier;
  const attrs = copy.attrs as Record<string, unknown> | undefined;
  // The last line of defence, on the attributes as collected: the payload builder already blanks these.
  if (attrs && typeof attrs === "object" && isSecret(attrs.type, attrs.autocomplete, "data-reflex-secret" in attrs)) {
    delete attrs.value;
    delete attrs.values; // a secret <select>'s chosen options
  }
  return copy;
}

const PREFIX = "cable-courier:journal:";
/** At most this many entries of one page wait in the journal; later ones rely on IndexedDB alone. */
export const JOURNAL_LIMIT = 1000;
/** How long (ms) a later click waits for an older one still in another page's journal (`oldestElsewhere`). */
export const JOURNAL_WAIT = 10_000;

export interface JournalEntry {
  identity: string;
  payload: ReflexPayload;
  retry: "safe" | "unsafe";
  createdAt: number;
  /** Acceptance order within the page that wrote it. */
  n: number;
  /**
   * The seq it was given once filed under its key's clientId. The meta's `nextSeq` is written in the same
   * transaction as the record, so a drain that finds the counter past `seq` knows the write landed, even
   * when the record has since left IndexedDB (sent, committed and deleted).
   */
  seq?: number;
}

function storage(): Storage | undefined {
  try {
    return typeof localStorage === "undefined" ? undefined : localStorage;
  } catch {
    return undefined; // access throws where storage is disabled
  }
}

const keyOf = (clientId: string, id: string) => `${PREFIX}${clientId}:${id}`;

let counter = 0;
/** This page's entries: reflex id -> the clientId it is journaled under. */
const mine = new Map<string, string>();

/** Writes the entry under `clientId`; returns the error when storage refused it (full, disabled). */
export function journalWrite(clientId: string, entry: Omit<JournalEntry, "n">): unknown {
  if (mine.size >= JOURNAL_LIMIT) return undefined; // bounded: IndexedDB's own window applies
  try {
    storage()?.setItem(keyOf(clientId, entry.payload.id), JSON.stringify({ ...entry, n: counter++ }));
    mine.set(entry.payload.id, clientId);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Records the lane and seq an entry was filed under (see `JournalEntry.seq`), moving it if the lane changed. */
export function journalStamp(id: string, clientId: string, seq: number): void {
  const from = mine.get(id);
  if (from === undefined) return;
  try {
    const store = storage();
    const entry = parse(store?.getItem(keyOf(from, id)) ?? null);
    if (!entry || !store) return;
    store.setItem(keyOf(clientId, id), JSON.stringify({ ...entry, seq }));
    mine.set(id, clientId);
    if (from !== clientId) store.removeItem(keyOf(from, id));
  } catch {
    // full or disabled: the entry stays unstamped, and its drain judges it by its id alone
  }
}

/** This page's entry for `id` is in IndexedDB now (or was refused): forgotten. */
export function journalRemove(id: string): void {
  const clientId = mine.get(id);
  if (clientId === undefined) return;
  mine.delete(id);
  remove(keyOf(clientId, id));
}

/**
 * Other pages' entries, by key: read from localStorage once, then kept by the `storage` event (which a
 * page only gets for other pages' writes). `oldestElsewhere` runs on every pump, and a scan of
 * localStorage costs tens of milliseconds once an app keeps thousands of keys there (27 ms at 10,000 in
 * Chromium): scanning on every pump starved the page.
 */
let others: Map<string, { identity: string; createdAt: number }> | undefined;

let listening = false;

function otherEntries(): Map<string, { identity: string; createdAt: number }> {
  if (others) return others;
  const seen = (others = new Map());
  const store = storage();
  for (const key of keys()) {
    const entry = parse(store?.getItem(key) ?? null);
    if (entry && !mine.has(entry.payload.id)) seen.set(key, { identity: entry.identity, createdAt: entry.createdAt });
  }
  if (!listening && typeof addEventListener === "function") {
    listening = true;
    addEventListener("storage", (event: StorageEvent) => {
      if (!others) return;
      if (event.key === null) return others.clear(); // localStorage.clear() in another page
      if (!event.key.startsWith(PREFIX)) return;
      const entry = event.newValue === null ? undefined : parse(event.newValue);
      if (entry) others.set(event.key, { identity: entry.identity, createdAt: entry.createdAt });
      else others.delete(event.key);
    });
  }
  return seen;
}

/** Tests play several page loads in one window: the next one reads other pages' entries afresh. */
export function journalReset(): void {
  others = undefined;
}

/**
 * When the oldest entry of `identity` journaled under a clientId not in `held` was accepted (Infinity when
 * none): a click of a page that is unloading, or gone and not yet adopted, which this page's later clicks
 * must not overtake. Entries older than `JOURNAL_WAIT` are not waited for: a live page removes its entries
 * within milliseconds, so one that old belongs to a page whose lane adoption will bring in later.
 */
export function oldestElsewhere(held: ReadonlyMap<string, unknown>, identity: string, now = Date.now()): number {
  let oldest = Infinity;
  for (const [key, entry] of otherEntries()) {
    const rest = key.slice(PREFIX.length);
    if (held.has(rest.slice(0, rest.indexOf(":")))) continue;
    if (entry.identity === identity && entry.createdAt > now - JOURNAL_WAIT) oldest = Math.min(oldest, entry.createdAt);
  }
  return oldest;
}

/** Every clientId some page journaled under (live or not: the caller's lock decides). */
export function journalClients(): string[] {
  const clients = new Set<string>();
  for (const key of keys()) {
    const rest = key.slice(PREFIX.length);
    const at = rest.indexOf(":");
    if (at > 0) clients.add(rest.slice(0, at));
  }
  return [...clients];
}

/** What pages left under `clientId`, in the order they accepted it; unreadable entries are removed. */
export function journalOf(clientId: string): JournalEntry[] {
  const store = storage();
  const entries: JournalEntry[] = [];
  if (!store) return entries;
  for (const key of keys()) {
    if (!key.startsWith(`${PREFIX}${clientId}:`)) continue;
    const entry = parse(store.getItem(key));
    if (entry) entries.push(entry);
    else remove(key);
  }
  return entries.sort((a, b) => a.createdAt - b.createdAt || a.n - b.n);
}

/** Drops entries of `clientId` once drained (the caller holds its lock). */
export function journalDrop(clientId: string, ids: string[]): void {
  for (const id of ids) {
    if (mine.get(id) === clientId) mine.delete(id);
    remove(keyOf(clientId, id));
  }
}

function keys(): string[] {
  const store = storage();
  if (!store) return [];
  try {
    return Array.from({ length: store.length }, (_, i) => store.key(i)).filter((key): key is string => key?.startsWith(PREFIX) === true);
  } catch {
    return [];
  }
}

function remove(key: string): void {
  others?.delete(key);
  try {
    storage()?.removeItem(key);
  } catch {
    // nothing to do
  }
}

function parse(text: string | null): JournalEntry | undefined {
  try {
    const entry = JSON.parse(text ?? "") as Partial<JournalEntry>;
    const ok = entry && typeof entry.identity === "string" && typeof entry.payload?.id === "string" &&
      typeof entry.payload.target === "string" && typeof entry.createdAt === "number" && typeof entry.n === "number";
    return ok ? (entry as JournalEntry) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Drains the journal of a lane this page has just claimed (its page is gone, its lock or heartbeat is
 * ours): what never reached IndexedDB is stored under that lane, at its own seq, before adoption loads
 * the lane. Entries the lane's stored counter already passed landed (and may have run since): dropped.
 */
export async function drainJournal(clientId: string, ctx: Context): Promise<void> {
  const { identity, persistence, ledger, logger } = ctx;
  // Another identity's page journaled these: only a page of that identity sends them.
  const entries = journalOf(clientId).filter((entry) => entry.identity === identity);
  if (!entries.length) return;
  const [meta, known] = await Promise.all([persistence.getMeta(clientId), persistence.recordIds()]);
  const counter = meta?.nextSeq ?? 1;
  let nextSeq = counter;
  const put: OutboxRecord[] = [];
  for (const { payload, retry, createdAt, seq } of entries) {
    const { id } = payload;
    if (known.has(id) || ledger.entry(id)) continue; // in IndexedDB: only the journal's cleanup was lost
    if (typeof seq === "number" && seq < counter) continue; // its write landed
    // Unstamped: it never got a seq, so it was never written or sent; it takes the lane's next one.
    const at = typeof seq === "number" ? seq : nextSeq;
    nextSeq = Math.max(nextSeq, at + 1);
    const record: OutboxRecord = { id, identity, clientId, seq: at, target: payload.target, retry: retry === "safe" ? "safe" : "unsafe",
      createdAt, payload: { ...sanitize(payload, id), courier: { v: 1, clientId, seq: at } } };
    // Stamped, and the lane's meta is gone (emptied and forgotten): it may have run; the server's store says.
    if (typeof seq === "number" && !meta) record.attempted = true;
    put.push(record);
  }
  if (put.length) await persistence.commit({ put, meta: { clientId, identity, nextSeq } });
  journalDrop(clientId, entries.map((entry) => entry.payload.id));
  logger.log("info", `outbox: ${put.length} of ${entries.length} journaled reflexes of client ${clientId} stored for adoption`);
}
