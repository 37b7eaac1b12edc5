// Per-client dedup state: the last committed seq and the results of recent seqs (PROTOCOL.md §4).
// A database-backed store implements the same three calls; `commit` must store the result and advance
// `last` in one transaction, ideally the same transaction as the reflex's own effect.
import type { Operation } from "../protocol/types.js";

/** What a committed seq produced: its operations, or the error it failed with. */
export interface StoredResult {
  operations?: Operation[];
  error?: string;
}

export interface CourierStore {
  /** The last committed seq of this client; 0 when it was never seen. */
  lastSeq(clientId: string): Promise<number>;
  /** The stored result of a committed seq; undefined when never stored or already pruned. */
  result(clientId: string, seq: number): Promise<StoredResult | undefined>;
  /** Atomically stores `result` and sets last = seq. Callers guarantee seq == last + 1; a store may reject otherwise. */
  commit(clientId: string, seq: number, result: StoredResult): Promise<void>;
}

interface ClientState {
  last: number;
  results: Map<number, StoredResult>;
}

export interface MemoryStoreOptions {
  /** Results kept per client; older ones are pruned (a duplicate then gets an empty operations list). Default 100. */
  keep?: number;
}

/** The default store: a Map in this process. Survives a server restart when the same object is reused. */
export class MemoryStore implements CourierStore {
  private readonly clients = new Map<string, ClientState>();
  private readonly keep: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.keep = Math.max(1, options.keep ?? 100);
  }

  async lastSeq(clientId: string): Promise<number> {
    return this.clients.get(clientId)?.last ?? 0;
  }

  async result(clientId: string, seq: number): Promise<StoredResult | undefined> {
    return this.clients.get(clientId)?.results.get(seq);
  }

  async commit(clientId: string, seq: number, result: StoredResult): Promise<void> {
    const state = this.clients.get(clientId) ?? { last: 0, results: new Map<number, StoredResult>() };
    // Refusing a skipped or repeated seq keeps a caller bug from silently breaking exactly-once.
    if (seq !== state.last + 1) throw new Error(`commit of seq ${seq} for ${clientId}, expected ${state.last + 1}`);
    state.last = seq;
    state.results.set(seq, result);
    state.results.delete(seq - this.keep);
    this.clients.set(clientId, state);
  }

  /** Number of clients known (for tests and benches). */
  get size(): number {
    return this.clients.size;
  }
}
