// A TCP proxy on 127.0.0.1 in front of a server, so a test can cut every connection at once (as a
// network drop would) and the browser's reconnect opens a new one, landing on whichever puma worker
// accepts it.
import { connect, createServer, type Socket } from "node:net";

export interface TcpProxy {
  readonly port: number;
  readonly accepted: number; // connections accepted so far
  cut(): number; // destroys every open connection (both sides); returns how many were cut
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let accepted = 0;
  const track = (socket: Socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    socket.on("error", () => socket.destroy()); // a cut or a refused upstream: close the pair
  };
  const server = createServer((client) => {
    accepted++;
    const upstream = connect(targetPort, "127.0.0.1");
    track(client);
    track(upstream);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    get accepted() {
      return accepted;
    },
    cut() {
      const count = open.size;
      for (const socket of open) socket.destroy();
      return count;
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
