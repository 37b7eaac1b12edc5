// Running an app's reflex handler. Every failure of the reflex itself (invalid payload, unknown target, a
// throw, a bad return value) becomes a stored error; only our own bugs and the store may throw past here.
import type { Logger } from "../core/logger.js";
import type { Operation } from "../protocol/types.js";
import type { Connection } from "./connection.js";
import type { Checked } from "./frames.js";
import type { StoredResult } from "./store.js";
import type { InboundReflex, ReflexHandler, ServerStats } from "./types.js";

export interface RunSettings {
  reflexes: Record<string, ReflexHandler>;
  stats: ServerStats;
  logger: Logger;
}

/** The stamp a reflex runs under: undefined for a plain StimulusReflex reflex. */
export interface RunStamp {
  clientId: string;
  seq: number;
  key: string;
}

export async function runReflex(s: RunSettings, connection: Connection, reflex: Checked<InboundReflex>, stamp?: RunStamp): Promise<StoredResult> {
  if (!reflex.ok) return { error: reflex.error };
  const payload = reflex.value;
  const { target, args, id } = payload;
  const name = handlerName(s.reflexes, target);
  if (name === undefined) return { error: `unknown reflex ${target}` };
  const handler = s.reflexes[name];
  s.stats.handlerRuns[name] = (s.stats.handlerRuns[name] ?? 0) + 1;
  try {
    const returned = await handler({
      target, args, id, payload, identity: connection.identity, connectionId: connection.id,
      clientId: stamp?.clientId, seq: stamp?.seq, clientKey: stamp?.key,
    });
    return checkOperations(returned);
  } catch (error) {
    s.logger.log("error", `reflex ${target} raised`, error);
    return { error: error instanceof Error ? error.message : String(error) };
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
