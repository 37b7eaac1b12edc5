// A load-generator child for the connection row: opens `count` ActionCable connections to one server,
// subscribes each to the reflex channel (with the courier params), and holds them. Bounded in count and
// time: it prints READY once every socket is confirmed or failed (or `openWithin` ran out), STATUS every
// second, and exits by itself after `ttl` ms. Loopback only.
// Usage: node generator.mjs <cableUrl> <count> <origin> <openWithinMs> <ttlMs> [concurrency]
import { randomUUID } from "node:crypto";
import WebSocket from "ws";

const [url, countArg, origin, openWithinArg, ttlArg, concurrencyArg] = process.argv.slice(2);
const count = Number(countArg);
const openWithin = Number(openWithinArg);
const concurrency = Number(concurrencyArg ?? 100);
if (!/^wss?:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`loopback only: ${url}`);

setTimeout(() => process.exit(0), Number(ttlArg)).unref();
process.on("SIGTERM", () => process.exit(0));

const counts = { started: 0, held: 0, failed: 0, dropped: 0 };
const sockets = [];
let inFlight = 0;
let readyPrinted = false;

function open() {
  counts.started++;
  inFlight++;
  const identifier = JSON.stringify({ channel: "StimulusReflex::Channel", courier: 1, clientId: randomUUID() });
  const socket = new WebSocket(url, ["actioncable-v1-json"], { origin, perMessageDeflate: false, handshakeTimeout: 20_000 });
  let confirmed = false;
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    inFlight--;
    pump();
  };
  socket.on("message", (data) => {
    if (confirmed) return; // pings and the hello: nothing to do while holding
    let frame;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (frame.type === "welcome") socket.send(JSON.stringify({ command: "subscribe", identifier }));
    else if (frame.type === "confirm_subscription") {
      confirmed = true;
      counts.held++;
      settle();
    } else if (frame.type === "reject_subscription") {
      counts.failed++;
      settle();
      socket.terminate();
    }
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    if (confirmed) {
      counts.held--;
      counts.dropped++;
    } else if (!settled) {
      counts.failed++;
      settle();
    }
  });
  sockets.push(socket);
}

function pump() {
  while (inFlight < concurrency && counts.started < count) open();
  if (counts.started === count && inFlight === 0) ready();
}

function ready() {
  if (readyPrinted) return;
  readyPrinted = true;
  console.log(`READY ${JSON.stringify({ ...counts, pid: process.pid, t: Date.now() })}`);
}

setTimeout(ready, openWithin).unref();
setInterval(() => console.log(`STATUS ${JSON.stringify(counts)}`), 1000).unref();
pump();
// Keep the process alive while holding (the ttl timer above ends it).
setInterval(() => {}, 60_000);
