// Baseline for "1,000 queued reflexes → committed": a bare `ws` server in its own Node process that sends
// every message straight back. Usage: node echo.mjs [port]
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

const http = createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server: http, path: "/echo" });
wss.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on("error", () => {});
});
http.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  const { port } = http.address();
  console.log(`READY ${JSON.stringify({ port, url: `ws://127.0.0.1:${port}/echo`, t: Date.now() })}`);
});
// A benchmark child never outlives its run, even if the parent dies without killing it.
setTimeout(() => process.exit(0), Number(process.env.BENCH_CHILD_TTL ?? 20 * 60_000)).unref();
