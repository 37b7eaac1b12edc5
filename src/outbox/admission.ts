// The last word before a queued record goes out (PROTOCOL.md §5): another user's record waits, an
// expired one goes as a tombstone or fails, and a plain server never gets a record that may already
// have run unless it is retry-safe.
import { maybeSent, type Entry } from "./entry.js";
import { EXPIRED, type Ledger } from "./ledger.js";

/** `send` it; `skip` it (it left the outbox); `stop` the lane here (nothing after it may overtake it). */
export type Verdict = "send" | "skip" | "stop";

export interface Connection {
  readonly extension: boolean;
  /** The current hello's `identity`; undefined when it named none (or there was no hello). */
  readonly helloIdentity: string | undefined;
}

export function admit(entry: Entry, connection: Connection, maxAge: number, ledger: Ledger): Verdict {
  const { record } = entry;
  // Queued while another user's connection was seen: never sent on this one; it waits for its user.
  if (record.helloIdentity !== undefined && connection.helloIdentity !== undefined && record.helloIdentity !== connection.helloIdentity)
    return "stop";
  const uncertain = (why: string): Verdict => (ledger.fail(entry, "uncertain", why), "skip");

  if (!entry.tombstone && Date.now() - record.createdAt > maxAge) {
    if (!maybeSent(entry)) ledger.expire(entry);
    else if (connection.extension) entry.tombstone = "asking"; // it may have run: the server's answer says
    else return uncertain(`${EXPIRED}, after it may have been sent; it may or may not have run`);
  }
  if (connection.extension) return "send";

  // A plain server knows no seqs (no tombstone needed) and cannot tell whether a reflex ran.
  if (entry.tombstone === "reported") {
    ledger.drop(entry);
    return "skip";
  }
  if (entry.tombstone === "asking") return uncertain(`${EXPIRED}, after it may have been sent; it may or may not have run`);
  if (record.retry === "safe") return "send";
  if (maybeSent(entry)) return uncertain("it was sent before and never answered; it may or may not have run");
  if (entry.markFailed) return uncertain("its attempted mark could not be stored, so a reload could send it twice");
  return "send";
}
