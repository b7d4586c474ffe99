/**
 * Test helper: a loopback HTTP proxy in front of a simulator's REST API that reports every
 * request before forwarding it, to check what the bot asks and when.
 *
 * @module
 */

/**
 * Starts the proxy; `onRequest` sees each request's method and URL first.
 *
 * @returns the server (its `addr.port` is the proxy's; `shutdown()` stops it)
 */
export function startRestProxy(
  targetUrl: string,
  onRequest: (method: string, url: URL) => void,
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const u = new URL(req.url);
      onRequest(req.method, u);
      const res = await fetch(`${targetUrl}${u.pathname}${u.search}`, {
        method: req.method,
        headers: req.headers,
        ...(req.body ? { body: await req.arrayBuffer() } : {}),
      });
      return new Response(await res.arrayBuffer(), {
        status: res.status,
        headers: res.headers,
      });
    },
  );
}
