// Where reflexes are kept: the record and client-meta shapes, the IndexedDB store (database
// `cable-courier`, object store `outbox`, keys ["r", clientId, seq, id] for reflexes and ["c", clientId]
// for client meta, so each write touches only its own rows), its in-memory fallback, and `Persistence`,
// which falls back to memory when IndexedDB breaks: a broken disk must never stop reflexes. Only a full
// disk is the caller's problem (that one reflex fails with `storage`). One record per reflex (never an
// array under one key: rewriting it on every click is O(n)).
import { createStore, promisifyRequest, type UseStore } from "idb-keyval";
import type { Logger } from "../core/logger.js";
import type { ReflexPayload } from "../protocol/types.js";

export interface OutboxRecord {
  id: string;
  /** The page identity it was queued under; only a page of the same identity sends it. */
  identity: string;
  clientId: string;
  seq: number;
  target: string;
  /** The payload as it goes on the wire, stamped with `courier: {v, clientId, seq}`. */
  payload: ReflexPayload;
  retry: "safe" | "unsafe";
  createdAt: number;
  /** Written before the first send: a later page knows the reflex may have run. */
  attempted?: true;
  /** The hello `identity` last seen when it was queued: it goes out only on a connection naming the same (or none). */
  helloIdentity?: string;
}

export interface ClientMeta {
  clientId: string;
  identity: string;
  nextSeq: number;
  /** The last hello `identity` this client saw; new records are stamped with it. */
  helloIdentity?: string;
  /**
   * Every record of this client up to this seq may have been sent (a lane sends in seq order, so one
   * number marks a whole batch instead of a rewrite of each record).
   */
  attemptedThrough?: number;
  /** Without Web Locks: which page owns this client and when it last said so (claims.ts). */
  heartbeat?: { by: string; at: number };
}

/** A page asking to own a client without Web Locks (claims.ts). */
export interface Claim {
  clientId: string;
  identity: string;
  by: string;
  now: number;
  staleAfter: number;
}

/** Which record: the id is part of the key, so two tabs sharing a clientId (no Web Locks) never overwrite each other. */
export interface RecordRef {
  clientId: string;
  seq: number;
  id: string;
}

/** One atomic change: everything in it lands in one transaction or none of it does. */
export interface Change {
  put?: OutboxRecord[];
  meta?: ClientMeta;
  remove?: RecordRef[];
  dropMeta?: string;
}

export interface OutboxStore {
  readonly durable: boolean;
  getMeta(clientId: string): Promise<ClientMeta | undefined>;
  /** Every client's meta, or only those of `identity`. */
  metas(identity?: string): Promise<ClientMeta[]>;
  /** This client's records, in seq order. */
  records(clientId: string): Promise<OutboxRecord[]>;
  /** The reflex ids of every record, of every client (keys only: no payload is read). */
  recordIds(): Promise<Set<string>>;
  commit(change: Change): Promise<void>;
  /** One transaction: reads the client's beat and takes it only if no live page holds it. */
  claim(claim: Claim): Promise<boolean>;
  /** Rewrites the beat of each client `by` still holds; returns those it no longer holds. */
  beat(clientIds: string[], by: string, now: number): Promise<string[]>;
  /** Gives up `by`'s claim, so the next page may take the client at once. */
  unclaim(clientId: string, by: string): Promise<void>;
}

/** Who owns a client's meta after each heartbeat step, computed inside the store's transaction. */
export const beats = {
  claim(stored: ClientMeta | undefined, { clientId, identity, by, now, staleAfter }: Claim): ClientMeta | undefined {
    const beat = stored?.heartbeat;
    if (beat && beat.by !== by && now - beat.at < staleAfter) return undefined; // a live page holds it
    return { ...(stored ?? { clientId, identity, nextSeq: 1 }), heartbeat: { by, at: now } };
  },
  beat(stored: ClientMeta | undefined, by: string, now: number): ClientMeta | undefined {
    return stored?.heartbeat?.by === by ? { ...stored, heartbeat: { by, at: now } } : undefined;
  },
  unclaim(stored: ClientMeta | undefined, by: string): ClientMeta | undefined {
    if (stored?.heartbeat?.by !== by) return undefined;
    const { heartbeat: _gone, ...rest } = stored;
    return rest;
  },
};

/**
 * A client meta as written: merged with what is stored, inside the same transaction, so a write computed
 * from an in-memory copy older than another write (the batch `attempted` mark, a second tab's counter)
 * can never move `nextSeq` or `attemptedThrough` back.
 */
export function mergeMeta(stored: ClientMeta | undefined, next: ClientMeta): ClientMeta {
  if (!stored) return next;
  const merged: ClientMeta = { ...stored, ...next, nextSeq: Math.max(stored.nextSeq ?? 0, next.nextSeq) };
  const through = Math.max(stored.attemptedThrough ?? 0, next.attemptedThrough ?? 0);
  if (through) merged.attemptedThrough = through;
  return merged;
}

export const recordKey = ({ clientId, seq, id }: RecordRef): IDBValidKey => ["r", clientId, seq, id];
export const metaKey = (clientId: string): IDBValidKey => ["c", clientId];
export const refOf = ({ clientId, seq, id }: RecordRef): RecordRef => ({ clientId, seq, id });

/** The fallback when IndexedDB is missing or broken: same interface, lost on reload. */
export class MemoryStore implements OutboxStore {
  readonly durable = false;
  private readonly rows = new Map<string, OutboxRecord>();
  private readonly clients = new Map<string, ClientMeta>();

  async getMeta(clientId: string): Promise<ClientMeta | undefined> {
    return this.clients.get(clientId);
  }

  async metas(identity?: string): Promise<ClientMeta[]> {
    return [...this.clients.values()].filter((meta) => identity === undefined || meta.identity === identity);
  }

  async recordIds(): Promise<Set<string>> {
    return new Set([...this.rows.values()].map((row) => row.id));
  }

  async records(clientId: string): Promise<OutboxRecord[]> {
    return [...this.rows.values()].filter((row) => row.clientId === clientId).sort((a, b) => a.seq - b.seq);
  }

  async commit(change: Change): Promise<void> {
    const key = (ref: RecordRef) => JSON.stringify(recordKey(ref));
    for (const ref of change.remove ?? []) this.rows.delete(key(ref));
    if (change.dropMeta !== undefined) this.clients.delete(change.dropMeta);
    for (const row of change.put ?? []) this.rows.set(key(row), row);
    if (change.meta) this.clients.set(change.meta.clientId, mergeMeta(this.clients.get(change.meta.clientId), change.meta));
  }

  async claim(claim: Claim): Promise<boolean> {
    const next = beats.claim(this.clients.get(claim.clientId), claim);
    if (next) this.clients.set(claim.clientId, next);
    return next !== undefined;
  }

  async beat(clientIds: string[], by: string, now: number): Promise<string[]> {
    return clientIds.filter((clientId) => {
      const next = beats.beat(this.clients.get(clientId), by, now);
      if (next) this.clients.set(clientId, next);
      return !next;
    });
  }

  async unclaim(clientId: string, by: string): Promise<void> {
    const next = beats.unclaim(this.clients.get(clientId), by);
    if (next) this.clients.set(clientId, next);
  }
}

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
    // Only the open is timed: `use` calls back once the connection is open, and the count it then asks
    // for may wait behind another tab's read-write transactions for as long as they take. A busy store is
    // not a dead one: giving up on it kept a page's clicks in memory only, and a reload lost them.
    let opened!: () => void;
    const connected = new Promise<void>((resolve) => (opened = resolve));
    const first = use("readonly", (store) => {
      opened();
      return promisifyRequest(store.count());
    });
    first.catch(() => undefined); // when the open times out, nothing awaits this read: no unhandled rejection
    await withTimeout(Promise.race([connected, first]), timeout, "indexedDB.open");
    await first;
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

export const isQuotaError = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { name?: unknown }).name === "QuotaExceededError";

export class Persistence {
  private _store: OutboxStore = new MemoryStore();
  private _degraded = false;

  constructor(
    private readonly _logger: Logger,
    private readonly _onDegrade: (error: unknown) => void,
  ) {}

  get durable(): boolean {
    return this._store.durable;
  }

  /** Never rejects: a database that cannot open leaves us on memory. */
  async open(kind: "indexeddb" | "memory", dbName?: string): Promise<void> {
    if (kind === "memory") return;
    try {
      this._store = await IdbStore.open(dbName);
    } catch (error) {
      this._degrade(error);
    }
  }

  /**
   * Rejects only with a quota error; anything else degrades to memory and retries there. Resolves true
   * when the change landed in IndexedDB, false when it is in memory only (lost on reload).
   */
  async commit(change: Change): Promise<boolean> {
    const store = this._store;
    try {
      await store.commit(change);
      return store.durable;
    } catch (error) {
      if (isQuotaError(error)) throw error;
      if (store === this._store) this._degrade(error);
      await this._store.commit(change);
      return false;
    }
  }

  // The reads of `OutboxStore`, each falling back to memory like `commit`.
  getMeta = (clientId: string) => this._read((store) => store.getMeta(clientId));
  metas = (identity?: string) => this._read((store) => store.metas(identity));
  /** The reflex ids of every stored record, of every client. */
  recordIds = () => this._read((store) => store.recordIds());
  records = (clientId: string) => this._read((store) => store.records(clientId));
  claim = (claim: Claim) => this._read((store) => store.claim(claim));
  beat = (clientIds: string[], by: string, now: number) => this._read((store) => store.beat(clientIds, by, now));
  unclaim = (clientId: string, by: string) => this._read((store) => store.unclaim(clientId, by));

  private async _read<T>(query: (store: OutboxStore) => Promise<T>): Promise<T> {
    const store = this._store;
    try {
      return await query(store);
    } catch (error) {
      if (store === this._store) this._degrade(error);
      return query(this._store);
    }
  }

  private _degrade(error: unknown): void {
    this._logger.log("warn", "IndexedDB unavailable; the outbox keeps reflexes in memory only", error);
    this._store = new MemoryStore();
    if (this._degraded) return;
    this._degraded = true;
    this._onDegrade(error);
  }
}
