// What the outbox keeps per reflex and per client, and the storage interface both stores implement.
// One record per reflex (never an array under one key: rewriting it on every click is O(n)).
import type { ReflexPayload } from "../protocol/types.js";

export interface OutboxRecord {
  id: string;
  identity: string;
  clientId: string;
  seq: number;
  target: string;
  /** The payload as it goes on the wire, stamped with `courier: {v, clientId, seq}`. */
  payload: ReflexPayload;
  retry: "safe" | "unsafe";
  createdAt: number;
  /** Plain mode: written before the first send, so a reload knows the reflex may have run. */
  attempted?: true;
}

export interface ClientMeta {
  clientId: string;
  identity: string;
  nextSeq: number;
}

/** One atomic change: everything in it lands in one transaction or none of it does. */
export interface Change {
  put?: OutboxRecord[];
  meta?: ClientMeta;
  remove?: Array<{ clientId: string; seq: number }>;
  dropMeta?: string;
}

export interface OutboxStore {
  readonly durable: boolean;
  getMeta(clientId: string): Promise<ClientMeta | undefined>;
  metas(identity: string): Promise<ClientMeta[]>;
  /** This client's records, in seq order. */
  records(clientId: string): Promise<OutboxRecord[]>;
  commit(change: Change): Promise<void>;
}

export const recordKey = (clientId: string, seq: number): IDBValidKey => ["r", clientId, seq];
export const metaKey = (clientId: string): IDBValidKey => ["c", clientId];

/** The fallback when IndexedDB is missing or broken: same interface, lost on reload. */
export class MemoryStore implements OutboxStore {
  readonly durable = false;
  private readonly rows = new Map<string, OutboxRecord>();
  private readonly clients = new Map<string, ClientMeta>();

  async getMeta(clientId: string): Promise<ClientMeta | undefined> {
    return this.clients.get(clientId);
  }

  async metas(identity: string): Promise<ClientMeta[]> {
    return [...this.clients.values()].filter((meta) => meta.identity === identity);
  }

  async records(clientId: string): Promise<OutboxRecord[]> {
    return [...this.rows.values()].filter((row) => row.clientId === clientId).sort((a, b) => a.seq - b.seq);
  }

  async commit(change: Change): Promise<void> {
    for (const { clientId, seq } of change.remove ?? []) this.rows.delete(`${clientId}\u0000${seq}`);
    if (change.dropMeta !== undefined) this.clients.delete(change.dropMeta);
    for (const row of change.put ?? []) this.rows.set(`${row.clientId}\u0000${row.seq}`, row);
    if (change.meta) this.clients.set(change.meta.clientId, change.meta);
  }
}
