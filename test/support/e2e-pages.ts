// The pages of the end-to-end suite, served from the test process itself, so they still load (and
// reload) while the reference server's process is dead. `/page?user=A` renders the identity meta tag
// (left out with `meta=0`) and sets the `e2e_user` cookie the reference server's `authenticate` reads
// (cookies ignore the port).
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface PageServer {
  readonly url: string;
  /**
   * URL of the test page for `user`; `options` become the JSON given to `start()`. `identityMeta: false`
   * leaves the identity meta tag out (the default of an app): only the cookie says who is logged in.
   */
  page(user: string, options?: Record<string, unknown>, render?: { identityMeta?: boolean }): string;
  close(): Promise<void>;
}

/** The courier:* events the page records in `window.__events`, in order, with their detail. */
export const RECORDED_EVENTS = [
  "state", "connected", "disconnected", "queued", "sent", "received", "committed", "failed", "storage-degraded",
].map((name) => `courier:${name}`);

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function render(cableUrl: string, user: string, options: string, identityMeta: boolean): string {
  const who = escapeHtml(user);
  const identity = identityMeta ? `<meta name="cable-courier-identity" content="${who}">` : "";
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>e2e ${who}</title>
<meta name="action-cable-url" content="${escapeHtml(cableUrl)}">
${identity}
<script>
  window.__events = [];
  for (const name of ${JSON.stringify(RECORDED_EVENTS)}) {
    document.addEventListener(name, (event) => {
      const d = event.detail || {};
      window.__events.push({ type: name, id: d.id, target: d.target, seq: d.seq, stage: d.stage, state: d.state });
    });
  }
</script>
<script type="module">
  import { start } from "/dist/cable-courier.bundle.js";
  window.courier = start(${options});
  window.courier.ready.then(() => { window.__ready = true; });
</script>
</head><body>
<form id="form" onsubmit="return false">
  <input id="n" name="n" value="">
  <button id="record" type="button" data-reflex="click->Test#record" data-reflex-serialize-form="true" data-who="${who}">record</button>
</form>
<p id="last"></p>
</body></html>`;
}

function serveFile(res: ServerResponse, path: string): void {
  try {
    const body = readFileSync(path);
    const type = path.endsWith(".map") ? "application/json" : "text/javascript; charset=utf-8";
    res.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(body);
  } catch {
    res.writeHead(404).end("not found");
  }
}

/** Serves /page and /dist/*; `cableUrl()` is read per request (the ref server keeps its port on restart). */
export async function startPageServer(cableUrl: () => string): Promise<PageServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/page") {
      const user = url.searchParams.get("user") ?? "";
      const options = url.searchParams.get("options") ?? "{}";
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "set-cookie": `e2e_user=${encodeURIComponent(user)}; Path=/; SameSite=Lax`,
      });
      res.end(render(cableUrl(), user, JSON.stringify(JSON.parse(options)), url.searchParams.get("meta") !== "0"));
    } else if (/^\/dist\/[\w.-]+$/.test(url.pathname)) {
      serveFile(res, ROOT + url.pathname.slice(1));
    } else {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    page: (user, options = {}, { identityMeta = true } = {}) =>
      `${url}/page?user=${encodeURIComponent(user)}&options=${encodeURIComponent(JSON.stringify(options))}${identityMeta ? "" : "&meta=0"}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
