// A CourierStore kept in one append-only file, for the end-to-end server. The reflex's effect is staged
// in memory while its handler runs and written by `commit` together with the client's `last` and result,
// as one line appended with one write: a SIGKILL at any moment leaves either the whole line or none (a
// torn last line is ignored when the file is read), so a restarted server neither forgets a committed seq
// nor counts an effect whose commit never happened. Appending keeps a commit's cost flat: rewriting the
// whole state on every commit cost ~30 ms per reflex by 6,000 effects, slower than the campaign clicks,
// and its tabs piled up thousands of reflexes (RELIABILITY.md finding 8).
// `clients` is keyed by the server's ClientKey, `${userKey}\u0000${clientId}` (src/server/identity.ts):
// dedup state is per (user, clientId). A staged effect is matched to its commit by clientId, seq and
// reflex id, so two users running the same clientId and seq at once do not take each other's effect.
import { appendFileSync, existsSync, readFileSync } from "node:fs";

/** The lines of the file, parsed; a line that does not parse (a write cut by SIGKILL) is skipped. */
export function readLog(path) {
  if (!existsSync(path)) return [];
  const entries = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line) continue;
    try {
      entries.push(JSON.parse(line));
    } catch {
      // torn: its commit never happened
    }
  }
  return entries;
}

/** Every effect in commit order, from the file (the page server renders from it while the server is down). */
export const readEffects = (path) => readLog(path).flatMap((entry) => (entry.effect ? [entry.effect] : []));

const empty = () => ({ clients: {}, effects: [], attempts: [] });

/** As MemoryStore's `forgetAfter` (src/server/store.ts): a lane not seen for 48 h is dropped. */
export const FORGET_AFTER = 48 * 60 * 60 * 1000;

export class FileStore {
  constructor(path, { forgetAfter = FORGET_AFTER, now = Date.now } = {}) {
    this.path = path;
    this.forgetAfter = forgetAfter;
    this.now = now;
    this.data = empty();
    for (const entry of readLog(path)) this.replay(entry);
    this.staged = new Map();
  }

  /** Applies one line of the file to the state in memory (at load, and as each line is written). */
  replay(entry) {
    if (entry.op === "commit") {
      const client = this.data.clients[entry.key] ?? { last: 0, results: {} };
      client.last = entry.seq;
      client.results[entry.seq] = entry.result;
      client.seen = entry.at;
      this.data.clients[entry.key] = client;
    } else if (entry.op === "attempt") this.data.attempts.push(entry.attempt);
    if (entry.effect) this.data.effects.push(entry.effect);
  }

  write(entry) {
    appendFileSync(this.path, JSON.stringify(entry) + "\n");
    this.replay(entry);
  }

  async lastSeq(key) {
    const client = this.data.clients[key];
    if (client) client.seen = this.now();
    return client?.last ?? 0;
  }

  async result(key, seq) {
    return this.data.clients[key]?.results[seq];
  }

  async commit(key, seq, result) {
    const last = this.data.clients[key]?.last ?? 0;
    if (seq !== last + 1) throw new Error(`commit of seq ${seq} for ${JSON.stringify(key)}, expected ${last + 1}`);
    const effect = this.takeStaged(key.slice(key.indexOf("\u0000") + 1), seq, result.id);
    this.forgetIdle();
    // A failed reflex has no effect, even if its handler staged one before throwing.
    this.write({ op: "commit", key, seq, result, at: this.now(), ...(effect && result.error === undefined && { effect }) });
  }

  /** Drops the lanes not seen for `forgetAfter` (in memory; a restart reads them back, then drops them again). */
  forgetIdle() {
    const before = this.now() - this.forgetAfter;
    for (const [key, client] of Object.entries(this.data.clients)) {
      // A lane written before lanes carried `seen` counts as seen now, never as idle since 1970.
      if (client.seen === undefined) client.seen = this.now();
      else if (client.seen <= before) delete this.data.clients[key];
    }
  }

  /** Records the effect of the running reflex; it becomes real only when `commit` stores its seq. */
  stage(clientId, seq, effect) {
    if (clientId === undefined || seq === undefined) {
      // A plain StimulusReflex reflex has no seq and no commit: its effect is immediate.
      this.write({ op: "effect", effect });
    } else {
      const key = `${clientId}:${seq}`;
      // A re-run (after a failed commit) replaces its own earlier attempt, never another reflex's.
      this.staged.set(key, [...(this.staged.get(key) ?? []).filter((e) => e.id !== effect.id), effect]);
    }
  }

  takeStaged(clientId, seq, id) {
    const key = `${clientId}:${seq}`;
    const list = this.staged.get(key) ?? [];
    const at = list.findIndex((e) => id === undefined || e.id === id);
    if (at < 0) return undefined;
    const [effect] = list.splice(at, 1);
    if (list.length === 0) this.staged.delete(key);
    return effect;
  }

  /** A handler started (kept even if the process dies before the commit). */
  attempt(entry) {
    this.write({ op: "attempt", attempt: entry });
  }
}
