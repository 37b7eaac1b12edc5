// What the outbox keeps per reflex and per client, and the storage interface both stores implement.
// One record per reflex (never an array under one key: rewriting it on every click is O(n)).
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
  /** Without Web Locks: which page owns this client and when it last said so (heartbeat.ts). */
  heartbeat?: { by: string; at: number };
}

/** A page asking to own a client without Web Locks (heartbeat.ts). */
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
