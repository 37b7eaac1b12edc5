// A CourierStore kept in one JSON file, for the end-to-end server. The reflex's effect is staged in
// memory while its handler runs and written by `commit` together with the client's `last`, in one atomic
// file replace (write a temp file, rename it): a SIGKILL at any moment leaves either both or neither, so
// a restarted server neither forgets a committed seq nor counts an effect whose commit never happened.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

const empty = () => ({ clients: {}, effects: [], attempts: [] });

export class FileStore {
  constructor(path) {
    this.path = path;
    this.data = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : empty();
    this.staged = new Map();
  }

  async lastSeq(clientId) {
    return this.data.clients[clientId]?.last ?? 0;
  }

  async result(clientId, seq) {
    return this.data.clients[clientId]?.results[seq];
  }

  async commit(clientId, seq, result) {
    const client = this.data.clients[clientId] ?? { last: 0, results: {} };
    if (seq !== client.last + 1) throw new Error(`commit of seq ${seq} for ${clientId}, expected ${client.last + 1}`);
    const key = `${clientId}:${seq}`;
    const effect = this.staged.get(key);
    this.staged.delete(key);
    client.last = seq;
    client.results[seq] = result;
    this.data.clients[clientId] = client;
    // A failed reflex has no effect, even if its handler staged one before throwing.
    if (effect && result.error === undefined) this.data.effects.push(effect);
    this.save();
  }

  /** Records the effect of the running reflex; it becomes real only when `commit` stores its seq. */
  stage(clientId, seq, effect) {
    if (clientId === undefined || seq === undefined) {
      // A plain StimulusReflex reflex has no seq and no commit: its effect is immediate.
      this.data.effects.push(effect);
      this.save();
    } else {
      this.staged.set(`${clientId}:${seq}`, effect);
    }
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
