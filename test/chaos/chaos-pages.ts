// The campaign's page, served from the test process so it loads while the reference server is killed or
// stopped. `#last` is rendered from the server's state file (the last committed effect of this tab's
// label), so a reloaded page starts from what the server did. A small script wraps `stimulate()` and
// reports each reflex's fate (accepted, queued, sent, settled) to the harness through `__chaosReport`.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readEffects } from "../support/e2e-store.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ChaosPages {
  url(label: string): string;
  close(): Promise<void>;
}

interface StateEffect {
  who: string;
  n: number;
}

/** `who:n` of the last effect committed for `label`, read from the server's append-only state file. */
export function lastShown(stateFile: string, label: string): string {
  try {
    const effects = readEffects(stateFile) as StateEffect[];
    const mine = effects.filter((e) => e.who === label);
    return mine.length ? `${label}:${mine[mine.length - 1].n}` : "";
  } catch {
    return "";
  }
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Runs in the page. `click(n)` is what an app's click handler does: stimulate() and keep the promise.
function harness(): void {
  type Report = (kind: string, id: string, n: number, load: string, ms: number) => void;
  const w = window as unknown as Record<string, unknown> & { __chaosReport?: Report };
  const load = Math.random().toString(36).slice(2);
  const settled: Record<number, string> = {};
  const clickedAt = new Map<string, number>();
  const report = (kind: string, id: string, n = -1, ms = -1) => void w.__chaosReport?.(kind, id, n, load, ms);
  // What a page applied or heard stale is also kept in localStorage, in the same task: a report through
  // the binding can die with a page that closes or reloads right then; the harness reads these at the end.
  const keep = (kind: string, id: string) => {
    try {
      localStorage.setItem(`chaos|${load}|${kind}|${id}`, String(Date.now()));
    } catch {
      // quota: the binding report still counts
    }
  };
  // A page load whose outbox fell back to memory: its clicks would not survive a reload (counted, printed).
  document.addEventListener("courier:storage-degraded", () => report("degraded", ""));
  // By reflex id: an adopted reflex (made by an earlier page) is only known to the harness by its id.
  for (const stage of ["queued", "sent"]) {
    document.addEventListener(`courier:${stage}`, (event) => {
      const id = (event as CustomEvent).detail?.id;
      // stimulate() → the first courier:queued: how long a click is not yet durable (a reflex sent and
      // then requeued by a dropped socket is announced queued again; that one is not timed).
      const at = stage === "queued" ? clickedAt.get(id) : undefined;
      if (at !== undefined) clickedAt.delete(id);
      if (typeof id === "string") report(stage, id, -1, at !== undefined ? performance.now() - at : -1);
    });
  }
  // The operations of a committed reflex landed on this page (its `#last` text): the user saw its effect.
  document.addEventListener("cable-ready:after-text-content", (event) => {
    const id = (event as CustomEvent).detail?.reflexId;
    if (typeof id === "string") (keep("shown", id), report("shown", id));
  });
  // courier:stale: the page re-renders as an app without Turbo would (README "courier:stale"): it fetches
  // this page again and puts the server's current `#last` in place, as a Turbo replace visit would. The
  // named reflexes count as shown only once that re-render is on the page ("rerendered", reported with
  // the text it put there). A stale event during a re-render starts another one after it (the fetch in
  // flight may predate that commit); a fetch that fails (offline) is tried again when the browser is
  // back online, or after a growing pause.
  let waiting: string[] = [];
  let rendering = false;
  const rerender = async () => {
    rendering = true;
    let pause = 100;
    while (waiting.length) {
      const ids = waiting;
      waiting = [];
      for (;;) {
        try {
          const html = await (await fetch(location.href, { cache: "no-store", headers: { accept: "text/html" } })).text();
          const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("last");
          if (!fresh) throw new Error("no #last in the page");
          const last = document.getElementById("last")!;
          last.textContent = fresh.textContent;
          last.dataset.rerendered = fresh.textContent ?? "";
          for (const id of ids) report("rerendered", id);
          report("rerender", fresh.textContent ?? "");
          break;
        } catch {
          await new Promise((resolve) => {
            const timer = setTimeout(resolve, pause);
            addEventListener("online", () => (clearTimeout(timer), resolve(undefined)), { once: true });
          });
          pause = Math.min(pause * 2, 2000);
        }
      }
    }
    rendering = false;
  };
  document.addEventListener("courier:stale", (event) => {
    event.preventDefault();
    const reflexes = ((event as CustomEvent).detail?.reflexes ?? []) as Array<{ id?: unknown }>;
    for (const r of reflexes) if (typeof r.id === "string") (keep("stale", r.id), report("stale", r.id), waiting.push(r.id));
    if (!rendering) void rerender();
  });
  w.__chaos = {
    load,
    settled,
    /** a re-render is waiting or under way */
    rerendering: () => rendering || waiting.length > 0,
    click(n: number, who: string, target = "Test#record") {
      const courier = w.courier as { stimulate(t: string, o: object): Promise<unknown> & { id: string } };
      const started = performance.now();
      const promise = courier.stimulate(target, { args: [n, who] });
      clickedAt.set(promise.id, started);
      settled[n] = "pending";
      report("accepted", promise.id, n);
      promise.then(
        () => (settled[n] = "ok"),
        (error: { reason?: string }) => {
          settled[n] = String(error?.reason ?? "error");
          // Also told at once: `settled` is read from live pages only, and a refusal (outbox-full) of a page
          // load that has gone would otherwise be counted as lost before durable.
          report(`failed:${settled[n]}`, promise.id, n);
        },
      );
    },
  };
}

function render(cableUrl: string, label: string, last: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>chaos ${escapeHtml(label)}</title>
<meta name="action-cable-url" content="${escapeHtml(cableUrl)}">
<meta name="cable-courier-identity" content="chaos">
<script>(${harness.toString()})();</script>
<script type="module">
  import { start } from "/dist/cable-courier.bundle.js";
  window.courier = start({});
  window.courier.ready.then(() => { window.__ready = true; });
</script>
</head><body>
<p id="last" data-rendered="${escapeHtml(last)}" data-rendered-at="${Date.now()}">${escapeHtml(last)}</p>
</body></html>`;
}

/** Serves /tab?label=… and /dist/*; every tab is the same user ("chaos"), so tabs share one outbox. */
export async function startChaosPages(cableUrl: string, stateFile: string): Promise<ChaosPages> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/tab") {
      const label = url.searchParams.get("label") ?? "";
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "set-cookie": "e2e_user=chaos; Path=/; SameSite=Lax",
      });
      res.end(render(cableUrl, label, lastShown(stateFile, label)));
    } else if (/^\/dist\/[\w.-]+$/.test(url.pathname)) {
      let body: Buffer;
      try {
        body = readFileSync(ROOT + url.pathname.slice(1));
      } catch {
        res.writeHead(404).end("not found");
        return;
      }
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" }).end(body);
    } else {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (label) => `http://127.0.0.1:${port}/tab?label=${encodeURIComponent(label)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
