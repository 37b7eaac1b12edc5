// Dedup state per (user, clientId): the last committed seq and the results of recent seqs (PROTOCOL.md §4).
//
// Every call takes a `ClientKey` (`${userKey}\u0000${clientId}`, see identity.ts), never a bare clientId:
// clientIds are not secret, so state keyed by one alone would let any user read another's operations and
// consume their seqs. A store treats the key as an opaque string (`splitClientKey` gives its halves).
//
// A database-backed store implements the same three calls; `commit` must store the result and advance
// `last` in one transaction, ideally the same transaction as the reflex's own effect. It keeps at least as
// many results per client as the client's `window` (32 by default; `keep` below must not be smaller), or a
// duplicate inside the window is answered `committed` with no operations, or as a success when it failed.
import type { Operation } from "../protocol/types.js";
import { splitClientKey, type ClientKey } from "./identity.js";

/** What a committed seq produced: the reflex id that ran under it, and its operations or its error. */
export interface StoredResult {
  /** The reflex id; a duplicate seq arriving with another id is a `conflict`. Absent only in old records. */
  id?: string;
  operations?: Operation[];
  error?: string;
}

export interface CourierStore {
  /** The last committed seq of this (user, clientId); 0 when it was never seen. */
  lastSeq(key: ClientKey): Promise<number>;
  /** The stored result of a committed seq; undefined when never stored or already pruned. */
  result(key: ClientKey, seq: number): Promise<StoredResult | undefined>;
  /** Atomically stores `result` and sets last = seq. Callers guarantee seq == last + 1; a store may reject otherwise. */
  commit(key: ClientKey, seq: number, result: StoredResult): Promise<void>;
}

interface ClientState {
  last: number;
  results: Map<number, StoredResult>;
}

export interface MemoryStoreOptions {
  /**
   * Results kept per client; older successes are pruned (a duplicate then gets `committed` with `pruned: true`).
   * Must be at least the client's `window` (32). Default 100.
   */
  keep?: number;
  /** Failures are kept this many seqs (never fewer than `keep`), so a late duplicate still hears `failed`. Default 10 × keep. */
  keepFailures?: number;
  /**
   * clientIds kept per user (every page load mints one); past it the one that committed least recently is
   * forgotten, so one user (or every anonymous page) cannot grow the map without end. Default 10,000.
   */
  maxClientsPerUser?: number;
}

/** The default store: a Map in this process. Survives a server restart when the same object is reused. */
export class MemoryStore implements CourierStore {
  private readonly clients = new Map<ClientKey, ClientState>();
  private readonly keep: number;
  private readonly keepFailures: number;
  /** user key → its client keys, least recently committed first (a Map keeps insertion order). */
  private readonly byUser = new Map<string, Map<ClientKey, true>>();
  private readonly maxClientsPerUser: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.keep = Math.max(1, options.keep ?? 100);
    this.keepFailures = Math.max(this.keep, options.keepFailures ?? this.keep * 10);
    this.maxClientsPerUser = Math.max(1, options.maxClientsPerUser ?? 10_000);
  }

  async lastSeq(key: ClientKey): Promise<number> {
    return this.clients.get(key)?.last ?? 0;
  }

  async result(key: ClientKey, seq: number): Promise<StoredResult | undefined> {
    return this.clients.get(key)?.results.get(seq);
  }

  async commit(key: ClientKey, seq: number, result: StoredResult): Promise<void> {
    const state = this.clients.get(key) ?? { last: 0, results: new Map<number, StoredResult>() };
    // Refusing a skipped or repeated seq keeps a caller bug from silently breaking exactly-once.
    if (seq !== state.last + 1) throw new Error(`commit of seq ${seq} for ${JSON.stringify(key.slice(0, 200))}, expected ${state.last + 1}`);
    state.last = seq;
    state.results.set(seq, result);
    // One success and one failure fall out of their windows per commit, so the map stays bounded.
    if (state.results.get(seq - this.keep)?.error === undefined) state.results.delete(seq - this.keep);
    state.results.delete(seq - this.keepFailures);
    this.clients.set(key, state);
    this.touch(key);
  }

  private touch(key: ClientKey): void {
    const { user } = splitClientKey(key);
    let keys = this.byUser.get(user);
    if (!keys) this.byUser.set(user, (keys = new Map()));
    keys.delete(key);
    keys.set(key, true);
    if (keys.size <= this.maxClientsPerUser) return;
    const oldest = keys.keys().next().value as ClientKey;
    keys.delete(oldest);
    this.clients.delete(oldest);
  }

  /** Number of (user, clientId) namespaces known (for tests and benches). */
  get size(): number {
    return this.clients.size;
  }
}
