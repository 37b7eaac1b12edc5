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
  /**
   * A (user, clientId) lane not seen (no commit, no hello asking for it) for this many ms is forgotten, so
   * the map grows with live clients, not with page views (each page load mints a clientId). Must be longer
   * than the client's `maxAge` (24 h by default): a record that waited longer than `maxAge` is expired by
   * the client and never run, so no record can still need a lane forgotten this late. Default 48 h.
   */
  forgetAfter?: number;
  /** The clock, for tests. Default Date.now. */
  now?: () => number;
}

/** Twice the client's default maxAge (24 h). */
export const DEFAULT_FORGET_AFTER = 48 * 60 * 60 * 1000;

/** The default store: a Map in this process. Survives a server restart when the same object is reused. */
export class MemoryStore implements CourierStore {
  private readonly _clients = new Map<ClientKey, ClientState>();
  private readonly _keep: number;
  private readonly _keepFailures: number;
  /** user key → its client keys, least recently committed first (a Map keeps insertion order). */
  private readonly _byUser = new Map<string, Map<ClientKey, true>>();
  private readonly _maxClientsPerUser: number;
  /** client key → when it was last seen, least recently seen first (a Map keeps insertion order). */
  private readonly _seen = new Map<ClientKey, number>();
  private readonly _forgetAfter: number;
  private readonly _now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this._forgetAfter = Math.max(1, options.forgetAfter ?? DEFAULT_FORGET_AFTER);
    this._now = options.now ?? Date.now;
    this._keep = Math.max(1, options.keep ?? 100);
    this._keepFailures = Math.max(this._keep, options.keepFailures ?? this._keep * 10);
    this._maxClientsPerUser = Math.max(1, options.maxClientsPerUser ?? 10_000);
  }

  async lastSeq(key: ClientKey): Promise<number> {
    this._forgetIdle();
    const state = this._clients.get(key);
    if (state) this._see(key);
    return state?.last ?? 0;
  }

  async result(key: ClientKey, seq: number): Promise<StoredResult | undefined> {
    return this._clients.get(key)?.results.get(seq);
  }

  async commit(key: ClientKey, seq: number, result: StoredResult): Promise<void> {
    const state = this._clients.get(key) ?? { last: 0, results: new Map<number, StoredResult>() };
    // Refusing a skipped or repeated seq keeps a caller bug from silently breaking exactly-once.
    if (seq !== state.last + 1) throw new Error(`commit of seq ${seq} for ${JSON.stringify(key.slice(0, 200))}, expected ${state.last + 1}`);
    state.last = seq;
    state.results.set(seq, result);
    // One success and one failure fall out of their windows per commit, so the map stays bounded.
    if (state.results.get(seq - this._keep)?.error === undefined) state.results.delete(seq - this._keep);
    state.results.delete(seq - this._keepFailures);
    this._clients.set(key, state);
    this._touch(key);
    this._see(key);
    this._forgetIdle();
  }

  private _see(key: ClientKey): void {
    this._seen.delete(key);
    this._seen.set(key, this._now());
  }

  /** Forgets the lanes not seen for `forgetAfter`: only the oldest are looked at, so a call costs what it removes. */
  private _forgetIdle(): void {
    const before = this._now() - this._forgetAfter;
    for (const [key, at] of this._seen) {
      if (at > before) return;
      this._forget(key);
    }
  }

  private _forget(key: ClientKey): void {
    this._seen.delete(key);
    this._clients.delete(key);
    const { user } = splitClientKey(key);
    const keys = this._byUser.get(user);
    keys?.delete(key);
    if (keys?.size === 0) this._byUser.delete(user);
  }

  private _touch(key: ClientKey): void {
    const { user } = splitClientKey(key);
    let keys = this._byUser.get(user);
    if (!keys) this._byUser.set(user, (keys = new Map()));
    keys.delete(key);
    keys.set(key, true);
    if (keys.size <= this._maxClientsPerUser) return;
    this._forget(keys.keys().next().value as ClientKey);
  }

  /** Number of (user, clientId) namespaces known (for tests and benches). */
  get size(): number {
    return this._clients.size;
  }
}
