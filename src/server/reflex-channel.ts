// The reflex channel: PROTOCOL.md §4 for stamped reflexes (hello, received → committed | failed, duplicates
// from the store, tombstones, gaps), and plain StimulusReflex answers for the rest.
import { guarded } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { ChannelParams, CourierAck, CourierStamp, Operation } from "../protocol/types.js";
import type { Channel, Connection } from "./connection.js";
import { checkReflex, checkStamp, isClientId, isReflexId, type Checked } from "./frames.js";
import { Lanes, type LaneItem } from "./lanes.js";
import { envelope, plainOperations } from "./plain.js";
import type { CourierStore, StoredResult } from "./store.js";
import type { InboundReflex, ReflexEvent, ReflexHandler, ServerStats } from "./types.js";

export interface ReflexChannelSettings {
  reflexes: Record<string, ReflexHandler>;
  store: CourierStore;
  extension: boolean;
  gapWait: number;
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

type AckExtra = Pick<CourierAck, "error" | "operations" | "expected">;

export class ReflexChannel implements Channel {
  readonly lanes: Lanes<Stamped>;

  constructor(private readonly s: ReflexChannelSettings) {
    this.lanes = new Lanes<Stamped>(
      {
        lastSeq: (clientId) => s.store.lastSeq(clientId),
        process: (clientId, item, last) => this.process(clientId, item, last),
        gap: (clientId, item, expected) => {
          s.stats.gaps++;
          this.ack(item, "gap", { expected });
          this.emit(item, { type: "gap", expected });
        },
        error: (clientId, error, dropped) => s.logger.log("error", `store failed for ${clientId}; ${dropped.length} reflexes dropped`, error),
      },
      s.gapWait,
    );
  }

  async subscribe(connection: Connection, params: ChannelParams, identifier: string): Promise<boolean> {
    if (this.s.extension && params.courier === 1) {
      const committed: Record<string, number> = {};
      if (isClientId(params.clientId)) committed[params.clientId] = await this.s.store.lastSeq(params.clientId);
      connection.transmit(identifier, { courier: { v: 1, hello: true, committed } });
    }
    return true;
  }

  receive(connection: Connection, _params: ChannelParams, identifier: string, data: Record<string, unknown>): void {
    const id = data.id;
    if (!isReflexId(id)) {
      this.s.stats.invalid++;
      this.s.logger.log("warn", `connection ${connection.id}: reflex without a valid id ignored`);
      return;
    }
    if (!this.s.extension || data.courier === undefined) return void this.runPlain(connection, identifier, id, data);
    const stamp = checkStamp(data.courier);
    if (stamp.ok) {
      const item = { connection, identifier, id, stamp: stamp.value, data, seq: stamp.value.seq, arrivedAt: Date.now() };
      return this.lanes.push(stamp.value.clientId, item);
    }
    // Without a valid stamp no seq can be consumed: answer the reflex, leave the store alone.
    this.s.stats.invalid++;
    const raw = data.courier as { clientId?: unknown; seq?: unknown } | null;
    const clientId = typeof raw?.clientId === "string" ? raw.clientId : "";
    const seq = typeof raw?.seq === "number" && Number.isSafeInteger(raw.seq) ? raw.seq : 0;
    const bad = { connection, identifier, id, data, seq, arrivedAt: 0, stamp: { v: 1, clientId, seq } as CourierStamp };
    this.ack(bad, "failed", { error: stamp.error });
    this.emit(bad, { type: "failed", error: stamp.error });
  }

  private async process(clientId: string, item: Stamped, last: number): Promise<void> {
    const { store, stats } = this.s;
    const { seq } = item.stamp;
    try {
      if (seq <= last) {
        stats.duplicates++;
        const stored = await store.result(clientId, seq);
        this.emit(item, { type: "duplicate" });
        return this.answer(item, stored ?? { operations: [] }, false);
      }
      if (item.stamp.void) {
        await store.commit(clientId, seq, { error: "expired" });
        return this.answer(item, { error: "expired" }, true);
      }
      this.ack(item, "received");
      this.emit(item, { type: "received" });
      const result = await this.run(item.connection, checkReflex(item.data), clientId, seq);
      await store.commit(clientId, seq, result);
      this.answer(item, result, true);
    } catch (error) {
      // The store failed: the effect is not known to be durable. Closing this socket makes the client
      // resend after reconnect, where the store (once healthy) decides again.
      this.s.logger.log("error", `store failed for ${clientId} seq ${seq}`, error);
      item.connection.socket.close(1011, "store failure");
    }
  }

  private answer(item: Stamped, result: StoredResult, fresh: boolean): void {
    if (result.error !== undefined) {
      if (fresh) this.s.stats.failed++;
      this.ack(item, "failed", { error: result.error });
      if (fresh) this.emit(item, { type: "failed", error: result.error });
      return;
    }
    const operations = (result.operations ?? []).map((op) => ({ ...op, reflexId: item.id }));
    if (fresh) this.s.stats.committed++;
    this.ack(item, "committed", { operations });
    if (fresh) this.emit(item, { type: "committed", operations });
  }

  private async runPlain(connection: Connection, identifier: string, id: string, data: Record<string, unknown>): Promise<void> {
    this.s.stats.plain++;
    const result = await this.run(connection, checkReflex(data), undefined, undefined);
    const operations = plainOperations(data, id, result);
    connection.transmit(identifier, envelope(operations));
    this.emit({ connection, id, data }, { type: "plain", operations, error: result.error });
  }

  /** Runs the handler; every failure (invalid payload, unknown target, throw, bad return) is a result. */
  private async run(connection: Connection, reflex: Checked<InboundReflex>, clientId?: string, seq?: number): Promise<StoredResult> {
    if (!reflex.ok) return { error: reflex.error };
    const payload = reflex.value;
    const { target, args, id } = payload;
    const name = handlerName(this.s.reflexes, target);
    if (name === undefined) return { error: `unknown reflex ${target}` };
    const handler = this.s.reflexes[name];
    this.s.stats.handlerRuns[name] = (this.s.stats.handlerRuns[name] ?? 0) + 1;
    try {
      const identity = connection.identity;
      const returned = await handler({ target, args, id, clientId, seq, payload, identity, connectionId: connection.id });
      return checkOperations(returned);
    } catch (error) {
      this.s.logger.log("info", `reflex ${target} raised`, error);
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }

  private ack(item: Pick<Stamped, "connection" | "identifier" | "id" | "stamp">, ack: CourierAck["ack"], extra: AckExtra = {}): void {
    const { clientId, seq } = item.stamp;
    item.connection.transmit(item.identifier, { courier: { v: 1, ack, id: item.id, clientId, seq, ...extra } });
  }

  private emit(item: Pick<Stamped, "connection" | "id" | "data"> & { stamp?: CourierStamp }, event: Omit<ReflexEvent, "connectionId">): void {
    const onReflex = this.s.onReflex;
    if (!onReflex) return;
    const target = typeof item.data.target === "string" ? item.data.target : undefined;
    const stamp = item.stamp ? { clientId: item.stamp.clientId, seq: item.stamp.seq } : {};
    guarded(this.s.logger, "onReflex", () => onReflex({ connectionId: item.connection.id, id: item.id, target, ...stamp, ...event }));
  }
}

/** A JSON copy of what the handler returned: what is stored is exactly what can be sent, now and on every replay. */
function checkOperations(value: unknown): StoredResult {
  if (value === undefined || value === null) return { operations: [] };
  const valid = Array.isArray(value) && value.every((op) => typeof op === "object" && op !== null && typeof op.operation === "string");
  if (!valid) return { error: "reflex handler returned something other than a list of operations" };
  try {
    return { operations: JSON.parse(JSON.stringify(value)) as Operation[] };
  } catch (error) {
    return { error: `reflex handler returned operations that are not JSON: ${String(error)}` };
  }
}

/**
 * The registered name for a target. As in StimulusReflex, `Counter#x` and `CounterReflex#x` name the same
 * reflex, so markup written either way finds a handler registered either way.
 */
function handlerName(reflexes: Record<string, unknown>, target: string): string | undefined {
  const has = (name: string) => Object.prototype.hasOwnProperty.call(reflexes, name);
  if (has(target)) return target;
  const [klass, method] = target.split("#");
  const other = klass.endsWith("Reflex") ? `${klass.slice(0, -"Reflex".length)}#${method}` : `${klass}Reflex#${method}`;
  return has(other) ? other : undefined;
}
