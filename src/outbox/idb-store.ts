// The durable store: database `cable-courier`, object store `outbox`, keys ["r", clientId, seq, id] for
// reflexes and ["c", clientId] for client meta, so each write touches only its own rows.
import { createStore, promisifyRequest, type UseStore } from "idb-keyval";
import { beats, mergeMeta, metaKey, recordKey, type Change, type Claim, type ClientMeta, type OutboxRecord, type OutboxStore } from "./store.js";

export const DB_NAME = "cable-courier";
export const STORE_NAME = "outbox";
/**
 * How long `indexedDB.open` may stay silent before we give up on it: some Safari versions never answer
 * it, and until it does nothing could be stored or sent. A timeout falls back to memory (issue 9 item 7).
 */
export const OPEN_TIMEOUT = 5000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// `[]` sorts after every string and number, so [prefix..., []] bounds everything under a prefix.
const under = (...prefix: IDBValidKey[]) => IDBKeyRange.bound(prefix, [...prefix, []]);

export class IdbStore implements OutboxStore {
  readonly durable = true;

  private constructor(private readonly use: UseStore) {}

  /** Opens (and creates) the database; rejects when IndexedDB is missing or refuses to open. */
  static async open(dbName = DB_NAME, timeout = OPEN_TIMEOUT): Promise<IdbStore> {
    if (typeof indexedDB === "undefined" || !indexedDB) throw new Error("IndexedDB is not available");
    const use = createStore(dbName, STORE_NAME);
    await withTimeout(use("readonly", (store) => promisifyRequest(store.count())), timeout, "indexedDB.open");
    return new IdbStore(use);
  }

  getMeta(clientId: string): Promise<ClientMeta | undefined> {
    return this.use("readonly", (store) => promisifyRequest(store.get(metaKey(clientId)) as IDBRequest<ClientMeta | undefined>));
  }

  async metas(identity?: string): Promise<ClientMeta[]> {
    const all = await this.use("readonly", (store) => promisifyRequest(store.getAll(under("c")) as IDBRequest<ClientMeta[]>));
    return all.filter((meta) => identity === undefined || meta.identity === identity);
  }

  records(clientId: string): Promise<OutboxRecord[]> {
    // Keys sort by seq (then id) within a client, so getAll already returns seq order.
    return this.use("readonly", (store) => promisifyRequest(store.getAll(under("r", clientId)) as IDBRequest<OutboxRecord[]>));
  }

  async recordIds(): Promise<Set<string>> {
    const keys = await this.use("readonly", (store) => promisifyRequest(store.getAllKeys(under("r"))));
    // ["r", clientId, seq, id]
    return new Set(keys.map((key) => String((key as unknown[])[3])));
  }

  commit(change: Change): Promise<void> {
    return this.use("readwrite", (store) => {
      for (const ref of change.remove ?? []) store.delete(recordKey(ref));
      if (change.dropMeta !== undefined) store.delete(metaKey(change.dropMeta));
      for (const row of change.put ?? []) store.put(row, recordKey(row));
      const meta = change.meta;
      if (meta) {
        // Read, then write the merge, in this transaction: nothing lands between the two.
        const key = metaKey(meta.clientId);
        const read = store.get(key) as IDBRequest<ClientMeta | undefined>;
        read.onsuccess = () => store.put(mergeMeta(read.result, meta), key);
      }
      return promisifyRequest(store.transaction);
    });
  }

  async claim(claim: Claim): Promise<boolean> {
    const [won] = await this.rewriteMetas([claim.clientId], (stored) => beats.claim(stored, claim));
    return won;
  }

  async beat(clientIds: string[], by: string, now: number): Promise<string[]> {
    const held = await this.rewriteMetas(clientIds, (stored) => beats.beat(stored, by, now));
    return clientIds.filter((_, i) => !held[i]);
  }

  async unclaim(clientId: string, by: string): Promise<void> {
    await this.rewriteMetas([clientId], (stored) => beats.unclaim(stored, by));
  }

  /** Reads each meta and writes what `next` makes of it in one transaction; true where it wrote. */
  private rewriteMetas(clientIds: string[], next: (stored: ClientMeta | undefined) => ClientMeta | undefined): Promise<boolean[]> {
    return this.use("readwrite", (store) => {
      const wrote = clientIds.map(() => false);
      clientIds.forEach((clientId, i) => {
        const key = metaKey(clientId);
        const read = store.get(key) as IDBRequest<ClientMeta | undefined>;
        read.onsuccess = () => {
          const meta = next(read.result);
          if (!meta) return;
          wrote[i] = true;
          store.put(meta, key);
        };
      });
      return promisifyRequest(store.transaction).then(() => wrote);
    });
  }
}
