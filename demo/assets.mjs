// Exact-path routes for the files the demo pages load from the build and from node_modules. The
// reference server's routes match exact pathnames, so each file gets its own route, listed once at
// startup (run `npm run build` first: dist/ is read when the server starts).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";

const TYPES = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** The folders a page may load, by URL prefix; nothing else of the repository is served. */
export const ASSET_DIRS = [
  "dist",
  "node_modules/@hotwired/turbo/dist",
  "node_modules/@hotwired/stimulus/dist",
  "node_modules/@rails/actioncable/app/assets/javascripts",
  "node_modules/morphdom/dist",
  "node_modules/idb-keyval/dist",
];

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Serves one file, read on each request so a rebuild shows without a restart. */
export function fileHandler(path) {
  const type = TYPES[extname(path)] ?? "application/octet-stream";
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    let body;
    try {
      body = readFileSync(path);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": type, "content-length": body.length, "cache-control": "no-cache" });
    res.end(req.method === "HEAD" ? undefined : body);
  };
}

/** `{"/dist/cable-courier.js": handler, ...}` for every file under ASSET_DIRS of `root`. */
export function assetRoutes(root, dirs = ASSET_DIRS) {
  const routes = {};
  for (const dir of dirs) {
    for (const path of walk(join(root, dir))) {
      if (path.endsWith(".d.ts") || path.endsWith(".cjs")) continue;
      routes["/" + relative(root, path).split(sep).join("/")] = fileHandler(path);
    }
  }
  return routes;
}
