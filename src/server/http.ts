// Plain HTTP: the app's extra routes first, then files from the static folder. Nothing outside that
// folder is ever served (no `..`, no encoded escapes, no symlinks pointing out, no dotfiles).
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import type { Logger } from "../core/logger.js";
import type { RouteHandler } from "./types.js";

export const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

export interface HttpSettings {
  static?: string;
  routes?: Record<string, RouteHandler>;
  logger: Logger;
}

export function createRequestHandler(settings: HttpSettings): (req: IncomingMessage, res: ServerResponse) => void {
  const root = settings.static ? resolve(settings.static) : undefined;
  const rootReal = root ? realpath(root).catch(() => root) : undefined;
  return (req, res) => {
    void handle(req, res).catch((error) => {
      settings.logger.log("error", `${req.method} ${req.url} failed`, error);
      if (!res.headersSent) respond(res, 500);
      else res.destroy();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return respond(res, 400);
    }
    const route = settings.routes && Object.prototype.hasOwnProperty.call(settings.routes, pathname) ? settings.routes[pathname] : undefined;
    if (route) return route(req, res);
    if (!root || !rootReal) return respond(res, 404);
    if (req.method !== "GET" && req.method !== "HEAD") return respond(res, 405);
    const file = await resolveFile(await rootReal, pathname);
    if (!file) return respond(res, 404);
    res.writeHead(200, {
      "Content-Type": CONTENT_TYPES[extname(file.path).toLowerCase()] ?? "application/octet-stream",
      "Content-Length": file.size,
      "Cache-Control": "no-cache",
    });
    if (req.method === "HEAD") return void res.end();
    createReadStream(file.path)
      .on("error", () => res.destroy())
      .pipe(res);
  }
}

/** The file under root for a decoded URL path, or undefined (missing, a directory without index, or outside root). */
async function resolveFile(root: string, pathname: string): Promise<{ path: string; size: number } | undefined> {
  if (pathname.includes("\0")) return undefined;
  // Dotfiles and dot-folders (.env, .git) are never served, whatever the folder holds.
  if (pathname.split(/[\\/]/).some((part) => part.startsWith("."))) return undefined;
  let candidate = resolve(join(root, pathname));
  try {
    if ((await stat(candidate)).isDirectory()) candidate = join(candidate, "index.html");
    const real = await realpath(candidate);
    if (real !== root && !real.startsWith(root + sep)) return undefined;
    const info = await stat(real);
    return info.isFile() ? { path: real, size: info.size } : undefined;
  } catch {
    return undefined;
  }
}

function respond(res: ServerResponse, status: number): void {
  const body = STATUS_CODES[status] ?? "Error";
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}
