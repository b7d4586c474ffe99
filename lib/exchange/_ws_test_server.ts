/**
 * Test helper: a loopback WebSocket server on 127.0.0.1 (port 0) that records its
 * sockets, for the market and user stream clients' tests.
 *
 * @module
 */

/** One accepted server-side socket. */
export interface ServerSocket {
  readonly ws: WebSocket;
  /** The full request URL. */
  readonly url: string;
  /** The request path. */
  readonly path: string;
  closeCode: number | undefined;
  readonly closed: Promise<void>;
}

/** A running loopback WebSocket server. */
export interface WsTestServer {
  readonly url: string;
  readonly sockets: ServerSocket[];
  /** Resolves once `n` sockets have connected, with the n-th. */
  waitSockets(n: number): Promise<ServerSocket>;
  /** Closes every socket (1001) and the server. */
  close(): Promise<void>;
}

/** Starts a loopback WebSocket server; `onSocket` sees each socket once it is open. */
export function wsTestServer(
  onSocket: (s: ServerSocket) => void = () => {},
): WsTestServer {
  const sockets: ServerSocket[] = [];
  const waiters: (() => void)[] = [];
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    (req) => {
      const { socket, response } = Deno.upgradeWebSocket(req);
      let done!: () => void;
      const s: ServerSocket = {
        ws: socket,
        url: req.url,
        path: new URL(req.url).pathname,
        closeCode: undefined,
        closed: new Promise((r) => (done = r)),
      };
      socket.onclose = (e) => {
        s.closeCode = e.code;
        done();
      };
      socket.onopen = () => {
        sockets.push(s);
        onSocket(s);
        for (const w of waiters.splice(0)) w();
      };
      return response;
    },
  );
  return {
    url: `ws://127.0.0.1:${server.addr.port}`,
    sockets,
    async waitSockets(n: number): Promise<ServerSocket> {
      while (sockets.length < n) {
        await new Promise<void>((r) => waiters.push(r));
      }
      return sockets[n - 1]!;
    },
    async close(): Promise<void> {
      for (const s of sockets) {
        if (s.ws.readyState === WebSocket.OPEN) s.ws.close(1001);
      }
      await Promise.all(sockets.map((s) => s.closed));
      ac.abort();
      await server.finished;
    },
  };
}
