// Holds the current store and falls back to memory when IndexedDB breaks: a broken disk must never
// stop reflexes. Only a full disk is the caller's problem (that one reflex fails with `storage`).
import type { Logger } from "../core/logger.js";
import { IdbStore } from "./idb-store.js";
import { MemoryStore, type Change, type Claim, type ClientMeta, type OutboxRecord, type OutboxStore } from "./store.js";

export const isQuotaError = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { name?: unknown }).name === "QuotaExceededError";

export class Persistence {
  private store: OutboxStore = new MemoryStore();
  private degraded = false;

  constructor(
    private readonly logger: Logger,
    private readonly onDegrade: (error: unknown) => void,
  ) {}

  get durable(): boolean {
    return this.store.durable;
  }

  /** Never rejects: a database that cannot open leaves us on memory. */
  async open(kind: "indexeddb" | "memory", dbName?: string): Promise<void> {
    if (kind === "memory") return;
    try {
      this.store = await IdbStore.open(dbName);
    } catch (error) {
      this.degrade(error);
    }
  }

  /**
   * Rejects only with a quota error; anything else degrades to memory and retries there. Resolves true
   * when the change landed in IndexedDB, false when it is in memory only (lost on reload).
   */
  async commit(change: Change): Promise<boolean> {
    const store = this.store;
    try {
      await store.commit(change);
      return store.durable;
    } catch (error) {
      if (isQuotaError(error)) throw error;
      if (store === this.store) this.degrade(error);
      await this.store.commit(change);
      return false;
    }
  }

  getMeta(clientId: string): Promise<ClientMeta | undefined> {
    return this.read((store) => store.getMeta(clientId));
  }

  metas(identity?: string): Promise<ClientMeta[]> {
    return this.read((store) => store.metas(identity));
  }

  /** The reflex ids of every stored record, of every client. */
  recordIds(): Promise<Set<string>> {
    return this.read((store) => store.recordIds());
  }

  records(clientId: string): Promise<OutboxRecord[]> {
    return this.read((store) => store.records(clientId));
  }

  claim(claim: Claim): Promise<boolean> {
    return this.read((store) => store.claim(claim));
  }

  beat(clientIds: string[], by: string, now: number): Promise<string[]> {
    return this.read((store) => store.beat(clientIds, by, now));
  }

  unclaim(clientId: string, by: string): Promise<void> {
    return this.read((store) => store.unclaim(clientId, by));
  }

  private async read<T>(query: (store: OutboxStore) => Promise<T>): Promise<T> {
    const store = this.store;
    try {
      return await query(store);
    } catch (error) {
      if (store === this.store) this.degrade(error);
      return query(this.store);
    }
  }

  private degrade(error: unknown): void {
    this.logger.log("warn", "IndexedDB unavailable; the outbox keeps reflexes in memory only", error);
    this.store = new MemoryStore();
    if (this.degraded) return;
    this.degraded = true;
    this.onDegrade(error);
  }
}
