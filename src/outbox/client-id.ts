// Which clientId this page sends under: a fresh one on every page load (Replicache's rule). Reusing a
// tab's clientId across reloads needed sessionStorage, which a duplicated tab copies, and a check that
// IndexedDB still knew the counter; a fresh id needs neither. What an earlier page left behind keeps its
// own clientId and seq and is sent by adoption (PROTOCOL.md §2, §5).
import { tryLock, type HeldLock } from "./locks.js";

export interface OwnClient {
  clientId: string;
  nextSeq: number;
  lock: HeldLock | null;
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

/** A brand-new clientId: the server has never seen it, so its seqs start at 1. `claim` makes it ours. */
export async function mintClient(claim: (clientId: string) => Promise<HeldLock | null> = tryLock, clientId = mintId()): Promise<OwnClient> {
  const lock = await claim(clientId);
  return { clientId, nextSeq: 1, lock };
}
