// Which clientId this tab sends under. A reload reuses the one in sessionStorage only when it is safe:
// IndexedDB still knows its next seq (else the server may already hold seqs we would hand out again)
// and no other live tab holds it (a duplicated tab copies sessionStorage).
import type { Persistence } from "./persistence.js";
import { locksSupported, tryLock, type HeldLock } from "./locks.js";

export interface OwnClient {
  clientId: string;
  nextSeq: number;
  lock: HeldLock | null;
  /** The last hello identity this client saw (a reused client only). */
  helloIdentity?: string;
}

const sessionKey = (identity: string) => `cable-courier:client:${identity}`;

function session(): Storage | undefined {
  try {
    return typeof sessionStorage === "undefined" ? undefined : sessionStorage;
  } catch {
    return undefined; // access throws where storage is disabled
  }
}

export function rememberClient(identity: string, clientId: string | undefined): void {
  try {
    if (clientId === undefined) session()?.removeItem(sessionKey(identity));
    else session()?.setItem(sessionKey(identity), clientId);
  } catch {
    // a full or disabled sessionStorage only costs reuse across a reload
  }
}

export function mintId(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === "function") return crypto.randomUUID(); // secure contexts only
  const bytes = new Uint8Array(16);
  if (typeof crypto?.getRandomValues === "function") crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A brand-new clientId: the server has never seen it, so its seqs start at 1. */
export async function mintClient(identity: string, remember: boolean): Promise<OwnClient> {
  const clientId = mintId();
  const lock = await tryLock(clientId);
  if (remember) rememberClient(identity, clientId);
  return { clientId, nextSeq: 1, lock };
}

async function reuse(clientId: string, identity: string, persistence: Persistence): Promise<OwnClient | undefined> {
  // Lock first, then read: once we hold it no other tab can adopt and change this client under us.
  const lock = await tryLock(clientId);
  if (!lock && locksSupported()) return undefined;
  const meta = await persistence.getMeta(clientId);
  if (meta && meta.identity === identity && persistence.durable)
    return { clientId, nextSeq: meta.nextSeq, lock, helloIdentity: meta.helloIdentity };
  lock?.release();
  return undefined;
}

/** In memory mode a clientId is never reused across loads: nothing remembers how far its seqs went. */
export async function resolveOwnClient(identity: string, persistence: Persistence): Promise<OwnClient> {
  if (persistence.durable) {
    const stored = session()?.getItem(sessionKey(identity));
    const reused = stored ? await reuse(stored, identity, persistence) : undefined;
    if (reused) return reused;
  }
  return mintClient(identity, persistence.durable);
}
