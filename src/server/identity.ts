// Who a connection is, in the two forms the server needs (PROTOCOL.md §4, §6): the user key that namespaces
// dedup state, and the opaque name the hello gives the client. clientIds are not secret, so a store key
// always carries the user: knowing another user's clientId must give nothing.
import { createHash, createHmac } from "node:crypto";

/** A store key: `${userKey}\u0000${clientId}`. Opaque to stores; build it with `clientKey`. */
export type ClientKey = string;

/** The user key of anonymous connections (no `authenticate`, or it returned `true`). */
export const ANONYMOUS = "";

/**
 * The user key of an identity: its JSON text, so a store can tell whose row it holds and a restart (or a
 * new secret) keeps every namespace. JSON never contains a raw U+0000, which keeps `clientKey` unambiguous.
 * Throws when the identity has no JSON form (a BigInt, a function, a cycle): two such users could not be
 * told apart.
 */
export function userKeyOf(identity: unknown): string {
  if (identity === undefined || identity === true) return ANONYMOUS;
  const json = JSON.stringify(identity) as string | undefined;
  if (typeof json !== "string") throw new TypeError(`identity ${typeof identity} has no JSON form`);
  return json;
}

/** The store key of `clientId` for the user `authenticate` returned (`undefined` = anonymous). */
export function clientKey(identity: unknown, clientId: string): ClientKey {
  return `${userKeyOf(identity)}\u0000${clientId}`;
}

/** Builds the key from a user key already computed (per connection, once). */
export function keyOf(userKey: string, clientId: string): ClientKey {
  return `${userKey}\u0000${clientId}`;
}

/** The two halves of a store key; `user` is the identity's JSON, "" for anonymous. */
export function splitClientKey(key: ClientKey): { user: string; clientId: string } {
  const at = key.indexOf("\u0000");
  return at < 0 ? { user: ANONYMOUS, clientId: key } : { user: key.slice(0, at), clientId: key.slice(at + 1) };
}

/**
 * The hello's `identity`: base64url of HMAC-SHA256(secret, user key), 32 characters; undefined for anonymous.
 * Without a secret it is an unkeyed SHA-256 — stable across restarts, but a guessable user id can be
 * recovered from it by trying candidates, so production servers pass `identitySecret`.
 */
export function identityName(userKey: string, secret: string | undefined): string | undefined {
  if (userKey === ANONYMOUS) return undefined;
  const digest = secret === undefined
    ? createHash("sha256").update("cable-courier identity\u0000").update(userKey)
    : createHmac("sha256", secret).update(userKey);
  return digest.digest("base64url").slice(0, 32);
}
