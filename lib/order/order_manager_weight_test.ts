import { deepEqual } from "node:assert/strict";
import { btcInfo } from "./_test_helpers.ts";
import { FakeExchange } from "./fake_exchange.ts";
import { OrderManager } from "./order_manager.ts";
import type { PortOrder } from "./port.ts";

/** A fake that notes the symbol argument of every open-orders listing. */
class CountingFake extends FakeExchange {
  readonly listings: (string | undefined)[] = [];
  override openOrders(symbol?: string): Promise<PortOrder[]> {
    this.listings.push(symbol);
    return super.openOrders(symbol);
  }
}

async function reconcileOn(symbols: string[]): Promise<CountingFake> {
  const fake = new CountingFake(() => 1_700_000_000_000);
  await new OrderManager(fake, {
    symbols: symbols.map((symbol) => btcInfo({ symbol })),
    orderNotional: 50,
    tpBps: 40,
    slBps: 25,
    cooldownMs: 0,
    clock: () => 1_700_000_000_000,
  }).reconcile();
  return fake;
}

Deno.test("OrderManager.reconcile() lists open orders at the lower REST weight", async (t) => {
  await t.step(
    "2 symbols: one call per symbol (weight 1 each, not 40)",
    async () => {
      const fake = await reconcileOn(["BTCUSDT", "ETHUSDT"]);
      deepEqual(fake.listings, ["BTCUSDT", "ETHUSDT"]);
    },
  );
  await t.step("10 symbols: one account-wide call", async () => {
    const symbols = Array.from({ length: 10 }, (_, i) => `S${i}USDT`);
    const fake = await reconcileOn(symbols);
    deepEqual(fake.listings, [undefined]);
  });
});
