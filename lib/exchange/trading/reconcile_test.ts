import { deepEqual, equal } from "node:assert/strict";
import { rig } from "./_test_clients.ts";
import { reconcile } from "./reconcile.ts";

for (const scheme of ["v1", "v3"] as const) {
  Deno.test(`reconcile() reads open orders and non-zero positions (${scheme})`, async () => {
    await using r = rig(scheme);
    const placed = await r.client.placeOrder({
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.01",
      price: "50000",
    });
    const state = await reconcile(r.client, undefined, { nowMs: 5 });
    equal(state.atMs, 5);
    deepEqual(state.openOrders.map((o) => o.clientOrderId), [
      placed.clientOrderId,
    ]);
    deepEqual(state.positions.map((p) => p.symbol), ["BTCUSDT"]);
    equal(r.venue.calls("/openOrders").length, 1);
    equal(r.venue.calls("/positionRisk").length, 1);
  });
}
