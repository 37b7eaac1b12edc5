// One reflex this tab holds, and its state: one union, changed only by `transition`, pure. Whether a
// reflex may already have run is decided here (`mayHaveRun`) and nowhere else.
import type { Timer } from "../core/timer.js";
import type { Stage } from "../protocol/types.js";
import type { OutboundReflex } from "./hooks.js";
import type { Settle } from "./reflex-error.js";
import type { OutboxRecord } from "./storage.js";

/**
 * What this page knows of the durable `attempted` mark (written before a record first goes out):
 * `none`: in IndexedDB without one (it needs one before it is sent); `unkept`: in memory only (a reload
 * cannot send it again, so it needs none); `here`: this page made it durable, and has not sent it since;
 * `failed`: it could not be stored (a reload might send it again); `earlier`: an earlier page's, so it
 * may have run.
 */
export type Mark = "none" | "unkept" | "here" | "failed" | "earlier";

interface Known {
  readonly mark: Mark;
  /** The clientId this page last sent it under; undefined = this page never sent it. */
  readonly sentUnder?: string;
  /**
   * Expired (older than maxAge): it goes out as a tombstone. `reported`: it never ran, its failure is
   * already reported and the answer only frees its seq. `asking`: it may have run; the answer decides.
   */
  readonly void?: "reported" | "asking";
}

/** `storing`: writes of it in flight (`writes`), so nothing in its lane is sent past it until they land. */
export type State =
  | (Known & { readonly kind: "storing"; readonly writes: number })
  | (Known & { readonly kind: "queued" })
  | (Known & { readonly kind: "sent" | "received"; readonly sentUnder: string });

export type Event =
  /** A write of it landed, in IndexedDB (`durable`) or in memory only. */
  | { type: "stored"; durable: boolean }
  /** Restamped under another clientId; the write of the new record is in flight. */
  | { type: "moved" }
  /** The lane's `attempted` mark covering it landed (`durable`) or could not be stored. */
  | { type: "marked"; durable: boolean }
  | { type: "sent"; under: string }
  | { type: "received" }
  /** What was in flight goes back in line (socket dropped, gap, conflict). */
  | { type: "requeued" }
  /** Older than maxAge: a tombstone, `reported` now if it never ran, else `asking` the server. */
  | { type: "expired" };

/** Sent by this page, or marked `attempted` by an earlier one: it may have run. */
export const mayHaveRun = (state: State): boolean => state.sentUnder !== undefined || state.mark === "earlier";

export const inFlight = (state: State): boolean => state.kind === "sent" || state.kind === "received";

/**
 * In IndexedDB without the mark: a later page could not tell that it may have run. (An expired record
 * never sent goes as a tombstone whose answer changes nothing: it needs none.)
 */
export const needsMark = (state: State): boolean => state.mark === "none" && state.void !== "reported";

/** The stage it is reported in: a record being stored is queued as far as the page can tell. */
export const stageOf = (state: State): Stage => (state.kind === "storing" ? "queued" : state.kind);

/** The next state, or undefined when `event` cannot happen in `state` (the caller leaves it as it was). */
export function transition(state: State, event: Event): State | undefined {
  const { mark, sentUnder, void: tomb } = state;
  const known: Known = { mark, sentUnder, void: tomb };
  switch (event.type) {
    case "stored": {
      if (state.kind !== "storing") return undefined;
      // Where it now is decides whether it needs a mark; a mark it has stays.
      const kept: Known = { ...known, mark: mark === "none" || mark === "unkept" ? (event.durable ? "none" : "unkept") : mark };
      return state.writes > 1 ? { ...kept, kind: "storing", writes: state.writes - 1 } : { ...kept, kind: "queued" };
    }
    case "moved":
      return { ...known, kind: "storing", writes: state.kind === "storing" ? state.writes + 1 : 1 };
    case "marked":
      if (mark !== "none") return undefined;
      return { ...state, mark: event.durable ? "here" : "failed" };
    case "sent":
      if (state.kind !== "queued") return undefined;
      return { ...known, kind: "sent", sentUnder: event.under };
    case "received":
      return state.kind === "sent" ? { ...state, kind: "received" } : undefined;
    case "requeued":
      return inFlight(state) ? { ...known, kind: "queued" } : undefined;
    case "expired":
      if (state.kind !== "queued" || tomb) return undefined;
      return { ...known, kind: "queued", void: mayHaveRun(state) ? "asking" : "reported" };
  }
}

/** The state of a record read from storage: `attempted` there means an earlier page may have sent it. */
export const loadedState = (record: OutboxRecord, durable: boolean): State => ({
  kind: "queued",
  mark: record.attempted ? "earlier" : durable ? "none" : "unkept",
});

export interface Entry {
  record: OutboxRecord;
  /** Only `Ledger.step` assigns it, with what `transition` returns. */
  state: State;
  /** Ack timer (`sent`) or commit timer (`received`): sends it again when it runs out. */
  readonly resend: Timer;
  settle?: Settle;
}

/** What goes on the wire for it: the payload, or for a tombstone only its stamp. */
export function outbound(entry: Entry): OutboundReflex {
  const { id, target, clientId, seq } = entry.record;
  return entry.state.void ? { id, target, courier: { v: 1, clientId, seq, void: true } } : entry.record.payload;
}
