/**
 * An order placed with raw `fetch` and `node:crypto`, built only from the rules of
 * ../shared/aster-protocol.md §2.1 (not from the project's signer), proves that the
 * simulator follows the document rather than the project's own client.
 */
import { equal, ok } from "node:assert/strict";
import { createHmac } from "node:crypto";
import { ManualClock } from "../clock.ts";
import { startSimulator } from "../simulator.ts";

const API_KEY =
  "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const SECRET =
  "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

function hmacHex(message: string): string {
  return createHmac("sha256", SECRET).update(message).digest("hex");
}

Deno.test("a hand-built V1 client places and cancels an order per the protocol doc", async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 8, 12, 0, 0));
  await using sim = await startSimulator({
    clock,
    symbols: ["BTCUSDT"],
    historyMinutes: 5,
    accounts: [{ kind: "v1", apiKey: API_KEY, secretKey: SECRET }],
  });
  const base = sim.restUrl;
  const serverTime = (await (await fetch(`${base}/fapi/v1/time`)).json())
    .serverTime as number;
  const book = await (await fetch(
    `${base}/fapi/v1/depth?symbol=BTCUSDT&limit=5`,
  )).json() as { bids: [string, string][] };
  const price = (Math.floor(Number(book.bids[0]![0]) * 0.95 * 10) / 10)
    .toFixed(1);

  let orderId = 0;
  await t.step(
    "mixed query + body, signature over both joined without '&'",
    async () => {
      const query = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC";
      const body =
        `quantity=0.002&price=${price}&newClientOrderId=indep-1&recvWindow=5000&timestamp=${serverTime}`;
      const signature = hmacHex(query + body);
      const res = await fetch(`${base}/fapi/v1/order?${query}`, {
        method: "POST",
        headers: {
          "X-MBX-APIKEY": API_KEY,
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: `${body}&signature=${signature.toUpperCase()}`,
      });
      const order = await res.json();
      equal(res.status, 200, JSON.stringify(order));
      equal(order.status, "NEW");
      equal(order.clientOrderId, "indep-1");
      equal(order.price, price);
      equal(order.origQty, "0.002");
      equal(order.positionSide, "BOTH");
      ok(Number(res.headers.get("x-mbx-used-weight-1m")) >= 1);
      equal(res.headers.get("x-mbx-order-count-1m"), "1");
      orderId = order.orderId;
    },
  );

  await t.step("the same bytes with one changed → -1022", async () => {
    const query = `symbol=BTCUSDT&orderId=${orderId}&timestamp=${serverTime}`;
    const signature = hmacHex(query);
    const res = await fetch(
      `${base}/fapi/v1/order?${
        query.replace("BTCUSDT", "ETHUSDT")
      }&signature=${signature}`,
      { headers: { "X-MBX-APIKEY": API_KEY } },
    );
    equal((await res.json()).code, -1022);
  });

  await t.step("a query-only GET and DELETE find and cancel it", async () => {
    const query = `symbol=BTCUSDT&orderId=${orderId}&timestamp=${serverTime}`;
    const url = `${base}/fapi/v1/order?${query}&signature=${hmacHex(query)}`;
    const got =
      await (await fetch(url, { headers: { "X-MBX-APIKEY": API_KEY } }))
        .json();
    equal(got.clientOrderId, "indep-1");
    const del = await fetch(url, {
      method: "DELETE",
      headers: { "X-MBX-APIKEY": API_KEY },
    });
    equal((await del.json()).status, "CANCELED");
  });
});
