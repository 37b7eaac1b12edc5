// A CourierStore kept in one JSON file, for the end-to-end server. The reflex's effect is staged in
// memory while its handler runs and written by `commit` together with the client's `last`, in one atomic
// file replace (write a temp file, rename it): a SIGKILL at any moment leaves either both or neither, so
// a restarted server neither forgets a committed seq nor counts an effect whose commit never happened.
// `clients` is keyed by the server's ClientKey, `${userKey}\u0000${clientId}` (src/server/identity.ts):
// dedup state is per (user, clientId). A staged effect is matched to its commit by clientId, seq and
// reflex id, so two users running the same clientId and seq at once do not take each other's effect.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

const empty = () => ({ clients: {}, effects: [], attempts: [] });

/** As MemoryStore's `forgetAfter` (src/server/store.ts): a lane not seen for 48 h is dropped. */
export const FORGET_AFTER = 48 * 60 * 60 * 1000;

export class FileStore {
  constructor(path, { forgetAfter = FORGET_AFTER, now = Date.now } = {}) {
    this.path = path;
    this.forgetAfter = forgetAfter;
    this.now = now;
    this.data = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : empty();
    this.staged = new Map();
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
    const client = this.data.clients[key] ?? { last: 0, results: {} };
    if (seq !== client.last + 1) throw new Error(`commit of seq ${seq} for ${JSON.stringify(key)}, expected ${client.last + 1}`);
    const effect = this.takeStaged(key.slice(key.indexOf("\u0000") + 1), seq, result.id);
    client.last = seq;
    client.results[seq] = result;
    client.seen = this.now();
    this.data.clients[key] = client;
    this.forgetIdle();
    // A failed reflex has no effect, even if its handler staged one before throwing.
    if (effect && result.error === undefined) this.data.effects.push(effect);
    this.save();
  }

  /** Drops the lanes not seen for `forgetAfter` (written with the next save). */
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
      this.data.effects.push(effect);
      this.save();
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
    this.data.attempts.push(entry);
    this.save();
  }

  save() {
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(this.data));
    renameSync(temp, this.path);
  }
}
