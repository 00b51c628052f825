/**
 * A TCP relay on 127.0.0.1 (port 0) in front of another local endpoint, with a switch: "forward" (a plain
 * relay), "blackhole" (connections are accepted and nothing is ever answered: a hung dependency) and
 * "refuse" (the port is closed: an unreachable dependency). Switching destroys every open connection, so
 * keep-alive sockets cannot bypass the new mode.
 */
import net from "node:net";

export type SwitchMode = "forward" | "blackhole" | "refuse";

export interface TcpSwitch {
  /** e.g. "http://127.0.0.1:41234" */
  endpoint: string;
  readonly mode: SwitchMode;
  set(mode: SwitchMode): Promise<void>;
  /** Resolves at the next connection a client opens (in "forward" or "blackhole" mode). */
  nextConnection(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpSwitch(target: { host: string; port: number }): Promise<TcpSwitch> {
  let mode: SwitchMode = "forward";
  const sockets = new Set<net.Socket>();
  let waiters: (() => void)[] = [];
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    for (const wake of waiters.splice(0)) wake();
    if (mode === "blackhole") {
      client.resume(); // read and drop: the request is taken, no answer ever comes
      return;
    }
    const upstream = net.connect(target);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    async set(next: SwitchMode) {
      if (next === mode) return;
      dropAll();
      if (next === "refuse") await stopListening();
      else if (mode === "refuse") await listen(port);
      mode = next;
    },
    nextConnection() {
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    async close() {
      waiters = [];
      dropAll();
      if (mode !== "refuse") await stopListening();
    },
  };
}
