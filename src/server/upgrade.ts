// The checks an HTTP upgrade passes before it becomes a WebSocket, and the HTTP answer when it does not.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { STATUS_CODES } from "node:http";
import { ANONYMOUS, userKeyOf } from "./identity.js";
import type { ServerOptions } from "./types.js";

export const SUBPROTOCOL = "actioncable-v1-json";

/** `user` is the identity's user key (identity.ts), computed once per connection. */
export type UpgradeVerdict = { ok: true; identity: unknown; user: string } | { ok: false; status: number; reason: string };

export function requestedProtocols(request: IncomingMessage): string[] {
  const header = request.headers["sec-websocket-protocol"];
  return typeof header === "string" ? header.split(",").map((p) => p.trim()) : [];
}

/**
 * Without `allowedOrigins` only the page's own origin may connect (as Rails: the Origin's host must be the
 * request's Host), so with cookie auth another site cannot open a socket as the visitor. A request without
 * an Origin is no browser's and is let through, as Rails does.
 */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

export function originAllowed(allowed: ServerOptions["allowedOrigins"], origin: string | undefined, host?: string): boolean {
  if (allowed === undefined) return sameOrigin(origin, host);
  if (typeof allowed === "function") return allowed(origin) === true;
  return origin !== undefined && allowed.includes(origin);
}

/** Origin, then subprotocol, then the app's `authenticate`; the first failure decides the status. */
export async function checkUpgrade(request: IncomingMessage, options: ServerOptions): Promise<UpgradeVerdict> {
  const origin = request.headers.origin;
  let allowed: boolean;
  try {
    allowed = originAllowed(options.allowedOrigins, origin, request.headers.host);
  } catch (error) {
    return { ok: false, status: 500, reason: `allowedOrigins threw: ${String(error)}` };
  }
  if (!allowed) return { ok: false, status: 403, reason: `origin ${origin ?? "(none)"} not allowed` };
  if (!requestedProtocols(request).includes(SUBPROTOCOL)) {
    return { ok: false, status: 400, reason: `subprotocol ${SUBPROTOCOL} required` };
  }
  if (!options.authenticate) return { ok: true, identity: undefined, user: ANONYMOUS };
  let identity: unknown;
  try {
    identity = await options.authenticate(request);
  } catch (error) {
    return { ok: false, status: 500, reason: `authenticate threw: ${String(error)}` };
  }
  // Any falsy answer (false, null, undefined, 0, "") refuses: a forgotten `return` must not make every
  // such connection one shared anonymous user.
  if (!identity) return { ok: false, status: 401, reason: "authenticate refused the connection" };
  try {
    return { ok: true, identity, user: userKeyOf(identity) };
  } catch (error) {
    // Users that cannot be told apart must not share dedup state: refuse rather than guess.
    return { ok: false, status: 500, reason: `authenticate returned an identity without a JSON form: ${String(error)}` };
  }
}

/** Answers a refused upgrade with a bare HTTP response and drops the socket. */
export function refuseUpgrade(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  const text = STATUS_CODES[status] ?? "Error";
  const head = `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n`;
  socket.end(head + text, () => socket.destroy());
}
