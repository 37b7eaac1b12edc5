// The reflex channel: PROTOCOL.md §4 for stamped reflexes (hello, received → committed | failed, conflicts
// and duplicates from the store, tombstones, gaps), and plain StimulusReflex answers for the rest.
// Everything a stamped reflex touches is keyed by (user, clientId): the connection's user key and the
// stamp's clientId (identity.ts). An unexpected error is never an answer: the socket closes with 1011.
import { guarded } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { ChannelParams, CourierAck, CourierHello, CourierStamp } from "../protocol/types.js";
import type { Channel, Connection } from "./connection.js";
import { checkReflex, checkStamp, isClientId, isReflexId } from "./frames.js";
import { runReflex } from "./handlers.js";
import { identityName, keyOf, type ClientKey } from "./identity.js";
import { Lanes, type LaneItem } from "./lanes.js";
import { envelope, plainOperations } from "./plain.js";
import type { CourierStore, StoredResult } from "./store.js";
import type { ReflexEvent, ReflexHandler, ServerStats } from "./types.js";

export interface ReflexChannelSettings {
  reflexes: Record<string, ReflexHandler>;
  store: CourierStore;
  extension: boolean;
  gapWait: number;
  /** Items one (user, clientId) lane holds at most (lanes.ts). */
  maxHeld: number;
  /** Key of the hello's `identity` HMAC; undefined = an unkeyed hash (identity.ts). */
  identitySecret: string | undefined;
  stats: ServerStats;
  logger: Logger;
  onReflex?: (event: ReflexEvent) => void;
}

interface Stamped extends LaneItem {
  connection: Connection;
  identifier: string;
  id: string;
  stamp: CourierStamp;
  data: Record<string, unknown>;
}

type AckExtra = Pick<CourierAck, "error" | "operations" | "expected" | "replay" | "pruned">;

export class ReflexChannel implements Channel {
  readonly lanes: Lanes<Stamped>;

  constructor(private readonly _s: ReflexChannelSettings) {
    this.lanes = new Lanes<Stamped>(
      {
        lastSeq: (key) => this._s.store.lastSeq(key),
        process: (key, item, last) => this._process(key, item, last),
        gap: (_key, item, expected) => {
          this._s.stats.gaps++;
          this._ack(item, "gap", { expected });
          this._emit(item, { type: "gap", expected });
        },
        error: (_key, error, dropped) => {
          this._s.logger.log("error", `store failed; ${dropped.length} reflexes dropped unanswered`, error);
          for (const item of dropped) item.connection.fail();
        },
        overflow: (_key, item, expected) => {
          // Before the store has answered once the expected seq is unknown: drop it, the client resends.
          if (expected === undefined) return void this._s.stats.invalid++;
          this._s.stats.gaps++;
          this._ack(item, "gap", { expected });
        },
      },
      this._s.gapWait,
      this._s.maxHeld,
    );
  }

  async subscribe(connection: Connection, params: ChannelParams, identifier: string): Promise<boolean> {
    if (!this._s.extension || params.courier !== 1) return true;
    const hello: CourierHello = { v: 1, hello: true, committed: {} };
    try {
      if (isClientId(params.clientId)) hello.committed[params.clientId] = await this._s.store.lastSeq(keyOf(connection.user, params.clientId));
    } catch (error) {
      // A rejected subscription is final for an ActionCable client; a closed socket is retried.
      this._s.logger.log("error", `connection ${connection.id}: store failed for the hello`, error);
      connection.fail();
      return false;
    }
    const identity = identityName(connection.user, this._s.identitySecret);
    if (identity !== undefined) hello.identity = identity;
    connection.transmit(identifier, { courier: hello });
    return true;
  }

  receive(connection: Connection, _params: ChannelParams, identifier: string, data: Record<string, unknown>): void {
    const id = data.id;
    if (!isReflexId(id)) {
      this._s.stats.invalid++;
      this._s.logger.log("warn", `connection ${connection.id}: reflex without a valid id ignored`);
      return;
    }
    if (!this._s.extension || data.courier === undefined) return void this._runPlain(connection, identifier, id, data);
    const stamp = checkStamp(data.courier);
    if (stamp.ok) {
      const item = { connection, identifier, id, stamp: stamp.value, data, seq: stamp.value.seq, arrivedAt: Date.now() };
      return this.lanes.push(keyOf(connection.user, stamp.value.clientId), item);
    }
    // Without a valid stamp no seq can be consumed: answer the reflex, leave the store alone.
    this._s.stats.invalid++;
    const raw = data.courier as { clientId?: unknown; seq?: unknown } | null;
    const clientId = typeof raw?.clientId === "string" ? raw.clientId : "";
    const seq = typeof raw?.seq === "number" && Number.isSafeInteger(raw.seq) ? raw.seq : 0;
    const bad = { connection, identifier, id, data, seq, arrivedAt: 0, stamp: { v: 1, clientId, seq } as CourierStamp };
    // Alone, never in a batch: its seq (0 when unreadable) fails the client's check, and one bad entry
    // makes the client refuse the whole batch, good acks included.
    connection.transmit(identifier, { courier: { v: 1, ack: "failed", id, clientId, seq, error: stamp.error } });
    this._emit(bad, { type: "failed", error: stamp.error });
  }

  private async _process(key: ClientKey, item: Stamped, last: number): Promise<void> {
    const { store, stats } = this._s;
    const { seq } = item.stamp;
    try {
      if (seq <= last) {
        const stored = await store.result(key, seq);
        if (stored?.id !== undefined && stored.id !== item.id) {
          // Another reflex ran under this seq (two tabs shared a clientId): nothing of it belongs to this one.
          stats.conflicts++;
          this._ack(item, "conflict");
          return this._emit(item, { type: "conflict" });
        }
        stats.duplicates++;
        this._emit(item, { type: "duplicate" });
        // From the store, not a fresh run: the client must not take these operations as news (PROTOCOL.md §5).
        return this._answer(item, stored ?? { operations: [] }, false, stored ? { replay: true } : { pruned: true });
      }
      if (item.stamp.void) {
        await store.commit(key, seq, { id: item.id, error: "expired" });
        return this._answer(item, { error: "expired" }, true);
      }
      this._ack(item, "received");
      this._emit(item, { type: "received" });
      const result = await runReflex(this._s, item.connection, checkReflex(item.data), { clientId: item.stamp.clientId, seq, key });
      await store.commit(key, seq, { ...result, id: item.id });
      this._answer(item, result, true);
    } catch (error) {
      // The store failed, or our own code did: the effect is not known to be durable and nothing was
      // answered. Closing this socket makes the client resend after reconnect, where the store decides again.
      this._s.logger.log("error", `reflex ${item.id} (${item.stamp.clientId} seq ${seq}) not answered`, error);
      item.connection.fail();
    }
  }

  private _answer(item: Stamped, result: StoredResult, fresh: boolean, flags: AckExtra = {}): void {
    if (result.error !== undefined) {
      if (fresh) this._s.stats.failed++;
      this._ack(item, "failed", { error: result.error });
      if (fresh) this._emit(item, { type: "failed", error: result.error });
      return;
    }
    const operations = (result.operations ?? []).map((op) => ({ ...op, reflexId: item.id }));
    if (fresh) this._s.stats.committed++;
    this._ack(item, "committed", { operations, ...flags });
    if (fresh) this._emit(item, { type: "committed", operations });
  }

  private async _runPlain(connection: Connection, identifier: string, id: string, data: Record<string, unknown>): Promise<void> {
    this._s.stats.plain++;
    try {
      const result = await runReflex(this._s, connection, checkReflex(data));
      const operations = plainOperations(data, id, result);
      connection.transmit(identifier, envelope(operations));
      this._emit({ connection, id, data }, { type: "plain", operations, error: result.error });
    } catch (error) {
      this._s.logger.log("error", `plain reflex ${id} not answered`, error);
      connection.fail();
    }
  }

  private _ack(item: Pick<Stamped, "connection" | "identifier" | "id" | "stamp">, ack: CourierAck["ack"], extra: AckExtra = {}): void {
    const { clientId, seq } = item.stamp;
    item.connection.transmitAck(item.identifier, { v: 1, ack, id: item.id, clientId, seq, ...extra });
  }

  private _emit(item: Pick<Stamped, "connection" | "id" | "data"> & { stamp?: CourierStamp }, event: Omit<ReflexEvent, "connectionId">): void {
    const onReflex = this._s.onReflex;
    if (!onReflex) return;
    const target = typeof item.data.target === "string" ? item.data.target : undefined;
    const stamp = item.stamp ? { clientId: item.stamp.clientId, seq: item.stamp.seq } : {};
    guarded(this._s.logger, "onReflex", () => onReflex({ connectionId: item.connection.id, id: item.id, target, ...stamp, ...event }));
  }
}
