// Reflex round trips at a fixed rate, from this process, over a few extra ActionCable connections that
// speak the courier extension: the time from sending a stamped reflex to its `committed` ack.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { sleep } from "./stats.mjs";

export function payload(target, i, clientId, seq) {
  return {
    target, args: [i], id: randomUUID(), url: "http://127.0.0.1/bench", attrs: {}, dataset: { dataset: {}, datasetAll: {} },
    selectors: [], formData: "", permanentAttributeName: "data-reflex-permanent", tabId: "bench", version: "3.5.5",
    reflexController: "stimulus-reflex", inner_html: "", text_content: "", resolveLate: false, suppressLogging: true,
    xpathController: "", xpathElement: "", params: {}, courier: { v: 1, clientId, seq },
  };
}

function connect(url, origin, pending, answers) {
  const clientId = randomUUID();
  const identifier = JSON.stringify({ channel: "StimulusReflex::Channel", courier: 1, clientId });
  const socket = new WebSocket(url, ["actioncable-v1-json"], { origin, perMessageDeflate: false });
  const client = { socket, identifier, clientId, seq: 0 };
  client.confirmed = new Promise((resolve, reject) => {
    socket.on("error", reject);
    socket.on("close", () => reject(new Error("closed before confirm")));
    socket.on("message", (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === "welcome") socket.send(JSON.stringify({ command: "subscribe", identifier }));
      else if (frame.type === "confirm_subscription") resolve(client);
      const ack = frame.message?.courier;
      if (!ack || (ack.ack !== "committed" && ack.ack !== "failed")) return;
      const sentAt = pending.get(ack.id);
      if (sentAt === undefined) return;
      pending.delete(ack.id);
      answers.push({ ms: performance.now() - sentAt, ok: ack.ack === "committed" });
    });
  });
  return client;
}

/** Sends `rate` reflexes per second for `seconds`, round-robin over `connections` clients. */
export async function roundTrips({ cableUrl, origin, target, rate, seconds, connections = 10 }) {
  const pending = new Map();
  const answers = [];
  const clients = Array.from({ length: connections }, () => connect(cableUrl, origin, pending, answers));
  try {
    await Promise.race([Promise.all(clients.map((c) => c.confirmed)), sleep(30_000).then(() => Promise.reject(new Error("round-trip clients not confirmed in 30 s")))]);
    const total = rate * seconds;
    const start = performance.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      for (; sent < due; sent++) {
        const client = clients[sent % clients.length];
        const data = payload(target, sent, client.clientId, ++client.seq);
        pending.set(data.id, performance.now());
        client.socket.send(JSON.stringify({ command: "message", identifier: client.identifier, data: JSON.stringify(data) }));
      }
      await sleep(2);
    }
    const deadline = Date.now() + 15_000;
    while (pending.size > 0 && Date.now() < deadline) await sleep(20);
    return { sent, answered: answers.length, failed: answers.filter((a) => !a.ok).length, samples: answers.map((a) => a.ms) };
  } finally {
    for (const c of clients) c.socket.terminate();
  }
}
