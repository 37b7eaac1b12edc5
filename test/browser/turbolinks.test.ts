// Turbolinks (5.2) visits keep the page's one courier: five visits, one socket counted at the server,
// the status hooks still on <html>, and reflexes still delivered from the page the visits ended on.
import { expect, test } from "vitest";
import { freshContext, waitForState, watchErrors, WAIT } from "../support/browser";
import { counterFixture } from "../support/counter-fixture";

const page = (name: string, other: string) => (count: number) => `<!doctype html><html><head><meta charset="utf-8"><title>${name}</title>
<script src="/node_modules/turbolinks/dist/turbolinks.js"></script>
<script src="/dist/cable-courier.iife.min.js"></script>
<script>
  // As apps do: start() on every load; only the memoized courier keeps this to one socket.
  if (!window.started) {
    window.started = true;
    window.loads = 0;
    document.addEventListener("turbolinks:load", () => {
      window.courier = CableCourier.start({ url: "/cable" });
      window.loads++;
    });
    Turbolinks.start();
  }
</script></head>
<body><h1 id="name">${name}</h1><a id="go" href="/tl/${other}">to ${other}</a>
<span id="count">${count}</span><button id="inc" data-reflex="click->Counter#increment">+1</button></body></html>`;

const fixture = counterFixture({ "/tl/a": page("a", "b"), "/tl/b": page("b", "a") });

test("five Turbolinks visits share one socket, and a reflex still lands after them", async () => {
  const context = await freshContext(fixture.browser);
  const tab = await context.newPage();
  const errors = watchErrors(tab);
  await tab.goto(`${fixture.server.url}/tl/a`);
  await waitForState(tab, "connected");
  // A full page load would lose the marker; the visit count starts now, after the first page's load.
  await tab.evaluate(() => Object.assign(window, { marker: 42, loads: 0 }));

  for (let visit = 1; visit <= 5; visit++) {
    const expected = visit % 2 ? "b" : "a";
    await tab.click("#go");
    await tab.waitForFunction(
      ([name, n]) => document.getElementById("name")?.textContent === name && (window as unknown as { loads: number }).loads === n,
      [expected, visit] as const,
      { timeout: WAIT },
    );
  }
  const state = await tab.evaluate(() => ({
    marker: (window as unknown as { marker?: number }).marker,
    loads: (window as unknown as { loads: number }).loads,
    cable: document.documentElement.getAttribute("data-cable-state"),
  }));
  expect(state).toEqual({ marker: 42, loads: 5, cable: "connected" });

  await tab.click("#inc");
  await tab.waitForFunction(() => document.getElementById("count")?.textContent === "1", null, { timeout: WAIT });
  expect(fixture.server.stats.connectionsOpened).toBe(1);
  expect(fixture.server.stats.handlerRuns["Counter#increment"]).toBe(1);
  expect(errors).toEqual([]);
  await context.close();
});
