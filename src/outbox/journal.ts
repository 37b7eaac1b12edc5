// The write-ahead journal: a reflex accepted by enqueue is written here synchronously, before its
// IndexedDB transaction exists, so a reload, navigation or tab close in the next millisecond does not
// lose it (issue 10 item 3). The next page of the tab drains what is left into IndexedDB. sessionStorage,
// not localStorage: other live tabs must never drain what this tab is still writing. Payloads arrive
// sanitized, so nothing secret is ever journaled. Every step is best effort: a full or disabled storage
// only narrows the window back to IndexedDB's own.
import type { ReflexPayload } from "../protocol/types.js";

const PREFIX = "cable-courier:journal:";

export interface JournalEntry {
  identity: string;
  payload: ReflexPayload;
  retry: "safe" | "unsafe";
  createdAt: number;
  /** Acceptance order within the page that wrote it. */
  n: number;
  /**
   * The lane and seq it was given once filed. The meta's `nextSeq` is written in the same transaction as
   * the record, so a later page whose meta for this clientId is past `seq` knows the write landed, even
   * when the record has since left IndexedDB (another tab adopted it and the server committed it).
   */
  clientId?: string;
  seq?: number;
}

function storage(): Storage | undefined {
  try {
    return typeof sessionStorage === "undefined" ? undefined : sessionStorage;
  } catch {
    return undefined; // access throws where storage is disabled
  }
}

let counter = 0;

export function journalWrite(entry: Omit<JournalEntry, "n">): void {
  try {
    storage()?.setItem(PREFIX + entry.payload.id, JSON.stringify({ ...entry, n: counter++ }));
  } catch {
    // full or disabled: IndexedDB's own window applies
  }
}

/** Records the lane and seq an entry was filed under (see `JournalEntry.clientId`). */
export function journalStamp(id: string, clientId: string, seq: number): void {
  try {
    const store = storage();
    const entry = parse(store?.getItem(PREFIX + id) ?? null);
    if (entry) store?.setItem(PREFIX + id, JSON.stringify({ ...entry, clientId, seq }));
  } catch {
    // full or disabled: the entry stays unstamped, and the next page judges it by its id alone
  }
}

export function journalRemove(id: string): void {
  try {
    storage()?.removeItem(PREFIX + id);
  } catch {
    // nothing to do
  }
}

/** What earlier pages of this tab left for `identity`, in the order they accepted it. */
export function journalEntries(identity: string): JournalEntry[] {
  const store = storage();
  if (!store) return [];
  const entries: JournalEntry[] = [];
  try {
    const keys = Array.from({ length: store.length }, (_, i) => store.key(i));
    for (const key of keys) {
      if (!key?.startsWith(PREFIX)) continue;
      const entry = parse(store.getItem(key));
      if (!entry) store.removeItem(key);
      else if (entry.identity === identity) entries.push(entry);
    }
  } catch {
    return entries;
  }
  return entries.sort((a, b) => a.createdAt - b.createdAt || a.n - b.n);
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
