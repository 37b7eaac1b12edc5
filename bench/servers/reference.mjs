// The reference server (dist/server.js) as a benchmark child. Reflexes: `Bench#noop` (no operations) and
// `Bench#row` (one small morph). GET /bench/stats reports memory and counts for the connection row.
// `Bench#order` records its args[0] in arrival order (GET /bench/order), for the plain drain row.
// Usage: node [--expose-gc] reference.mjs [port]; BENCH_PLAIN=1 answers as plain StimulusReflex (extension: false).
// BENCH_DIST points the bench at another build folder (e.g. to compare two builds); default dist/.
const dist = process.env.BENCH_DIST ? `file://${process.env.BENCH_DIST}` : new URL("../../dist", import.meta.url).href;
const { createServer, morph } = await import(`${dist}/server.js`);

let server;
const order = [];
const reflexes = {
  "Bench#order": ({ args }) => void order.push(args[0]),
  "Bench#noop": () => [],
  "Bench#row": ({ args }) => [morph(`#row-${Number(args[0]) || 0}`, String(args[1] ?? ""))],
};

const routes = {
  "/bench/order": (_req, res) => void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(order)),
  "/bench/stats": (_req, res) => {
    if (typeof globalThis.gc === "function") globalThis.gc();
    const body = JSON.stringify({ pid: process.pid, memory: process.memoryUsage(), stats: server.stats });
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  },
};

// Bench pages come from another local server: admit local origins (the default is the same origin only).
server = createServer({ reflexes, routes, extension: process.env.BENCH_PLAIN !== "1", allowedOrigins: (origin) => origin === undefined || origin.startsWith("http://127.0.0.1:") });
const port = Number(process.argv[2] ?? 0);
await server.listen(port, "127.0.0.1");
const actual = Number(new URL(server.url).port);
// Printed only once listen resolved: the parent takes `t` as "the server accepts again".
console.log(`READY ${JSON.stringify({ port: actual, url: server.url, cableUrl: server.cableUrl, pid: process.pid, t: Date.now() })}`);
setTimeout(() => process.exit(0), Number(process.env.BENCH_CHILD_TTL ?? 20 * 60_000)).unref();
