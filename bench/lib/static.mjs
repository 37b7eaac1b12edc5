// A tiny static file server for the benchmark pages. It serves a blank page at "/" (the pages load
// their scripts by URL) and read-only files from dist/, node_modules/ and bench/, nothing else.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".html": "text/html", ".json": "application/json", ".map": "application/json" };
const ALLOWED = ["dist/", "node_modules/", "bench/"];

export async function startStatic(root) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^\/+/, "");
    if (path === "" || path === ".") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<!doctype html><html><head><title>bench</title></head><body></body></html>");
    }
    if (!ALLOWED.some((prefix) => path.startsWith(prefix)) || path.includes("..")) {
      res.writeHead(404);
      return res.end();
    }
    try {
      // BENCH_DIST (an absolute folder) replaces dist/, to bench another build.
      const file = process.env.BENCH_DIST && path.startsWith("dist/") ? join(process.env.BENCH_DIST, path.slice(5)) : join(root, path);
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}
