import { deepEqual, equal, notEqual, ok } from "node:assert/strict";
import { generateDemoCredentials } from "../../sim/trading/demo_accounts.ts";
import { SCHEMES, startSimRig, startStream, waitUntil } from "./_sim_rig.ts";
import type { MarginCallEvent, OrderUpdateEvent } from "./user_events.ts";
import type { RawAccount } from "./wire.ts";

const TAKER = 0.00035;
const QTY = 0.02;

/** Equal within half a cent of a USDT (wire values are rounded to 8 decimals). */
function near(actual: string | number, expected: number, what: string): void {
  ok(
    Math.abs(Number(actual) - expected) <
      5e-8 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );
}

for (const scheme of SCHEMES) {
  Deno.test(`TradingClient (${scheme}) reports margin figures that add up`, async (t) => {
    await using rig = await startSimRig();
    const { client, accountId } = rig.clients[scheme];
    const info = await (await fetch(`${rig.sim.restUrl}/fapi/v1/exchangeInfo`))
      .json() as {
        symbols: { symbol: string; maintMarginPercent: string }[];
      };
    const maintRate = Number(
      info.symbols.find((s) => s.symbol === "BTCUSDT")!.maintMarginPercent,
    ) / 100;
    ok(maintRate > 0);
    await client.setLeverage("BTCUSDT", 5);
    const result = await client.placeOrder({
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      quantity: String(QTY),
    });
    ok(result.status === "placed", JSON.stringify(result));
    const fill = result.order;
    const cost = Number(fill.cumQuote);
    const fee = cost * TAKER;

    const check = async (label: string) => {
      const [pos] = await client.positionRisk("BTCUSDT");
      ok(pos);
      const mark = Number(pos.markPrice);
      ok(mark > 0);
      equal(Number(pos.positionAmt), QTY);
      near(pos.entryPrice, cost / QTY, `${label} entryPrice`);
      const upnl = QTY * mark - cost;
      near(pos.unRealizedProfit, upnl, `${label} unRealizedProfit`);
      const account = await client.account();
      near(account.totalWalletBalance, 10000 - fee, `${label} wallet`);
      near(account.totalUnrealizedProfit, upnl, `${label} account uPnL`);
      near(
        account.totalMarginBalance,
        Number(account.totalWalletBalance) +
          Number(account.totalUnrealizedProfit),
        `${label} marginBalance = wallet + uPnL`,
      );
      const notional = QTY * mark;
      near(account.totalPositionInitialMargin, notional / 5, `${label} IM`);
      const row = account.positions.find((p) => p.symbol === "BTCUSDT");
      ok(row);
      equal(row.leverage, 5);
      near(row.maintMargin, Number(account.totalMaintMargin), `${label} MM`);
      // The sim's single bracket: exchangeInfo maintMarginPercent, no deduction.
      near(account.totalMaintMargin, notional * maintRate, `${label} MM rate`);
      // The engine's own numbers.
      const raw = rig.sim.trading.engine.account(accountId).body as RawAccount;
      equal(account.totalMarginBalance, raw.totalMarginBalance);
      equal(account.totalMaintMargin, raw.totalMaintMargin);
      return mark;
    };

    let first = 0;
    await t.step("right after the fill", async () => {
      first = await check("at fill");
    });
    await t.step("after the mark moved", async () => {
      let mark = first;
      for (let i = 0; i < 30 && mark === first; i++) {
        rig.clock.advance(10_000);
        mark = Number((await client.positionRisk("BTCUSDT"))[0]!.markPrice);
      }
      ok(mark !== first, "the mark moved");
      await check("later");
    });
  });
}

for (const scheme of SCHEMES) {
  Deno.test(`TradingClient (${scheme}) reports an isolated position's liquidation price`, async () => {
    await using rig = await startSimRig();
    const { client } = rig.clients[scheme];
    deepEqual(await client.setMarginType("BTCUSDT", "ISOLATED"), {
      changed: true,
    });
    await client.setLeverage("BTCUSDT", 10);
    const result = await client.placeOrder({
      symbol: "BTCUSDT",
      side: "SELL",
      type: "MARKET",
      quantity: String(QTY),
    });
    ok(result.status === "placed", JSON.stringify(result));
    const cost = Number(result.order.cumQuote);
    const entry = cost / QTY;
    const [pos] = await client.positionRisk("BTCUSDT");
    ok(pos);
    equal(pos.marginType, "isolated");
    equal(Number(pos.positionAmt), -QTY);
    // Isolated wallet = initial margin at entry (fees come from the cross wallet).
    const wallet = Number(pos.isolatedMargin) - Number(pos.unRealizedProfit);
    near(wallet, cost / 10, "isolated wallet");
    const info = await (await fetch(`${rig.sim.restUrl}/fapi/v1/exchangeInfo`))
      .json() as { symbols: { symbol: string; maintMarginPercent: string }[] };
    const rate = Number(
      info.symbols.find((s) => s.symbol === "BTCUSDT")!.maintMarginPercent,
    ) / 100;
    // Short: wallet + q·(entry − P) = q·P·rate  ⇒  P = (wallet + q·entry) / (q·(1 + rate)).
    const liq = (wallet + QTY * entry) / (QTY * (1 + rate));
    ok(
      Math.abs(Number(pos.liquidationPrice) - liq) < 1e-6,
      `${pos.liquidationPrice} vs ${liq}`,
    );
    ok(liq > entry * 1.07 && liq < entry * 1.1, "about 1/leverage above");
    const account = await client.account();
    near(account.totalWalletBalance, 10000 - cost * TAKER, "cross wallet");
  });
}

for (const scheme of SCHEMES) {
  Deno.test(`TradingClient (${scheme}) on a small cross account: MARGIN_CALL, then liquidation`, async (t) => {
    await using rig = await startSimRig();
    const who = generateDemoCredentials();
    rig.sim.trading.addAccount(
      scheme === "v1"
        ? {
          kind: "v1",
          apiKey: who.apiKey,
          secretKey: who.secretKey,
          balance: "200",
        }
        : { kind: "v3", user: who.user, signer: who.signer, balance: "200" },
    );
    const { client, accountId } = rig.makeClient(scheme, who);
    await using h = await startStream(rig, client);
    await client.setLeverage("BTCUSDT", 20);
    const q = 0.039;
    const rate = await maintRateOf(rig.sim.restUrl);
    // The seeded market rises about 2.6 % within six hours: a 20× short cannot hold.
    const r = await client.placeOrder({
      symbol: "BTCUSDT",
      side: "SELL",
      type: "MARKET",
      quantity: String(q),
    });
    ok(r.status === "placed", JSON.stringify(r));
    const cost = Number(r.order.cumQuote);
    const entry = cost / q;
    const wallet = 200 - cost * TAKER;
    // Short: wallet + q·(entry − P) = q·P·rate  ⇒  P = (wallet + q·entry) / (q·(1 + rate)).
    const liq = (wallet + q * entry) / (q * (1 + rate));

    await t.step(
      "positionRisk gives the hand-computed liquidation price",
      async () => {
        const [pos] = await client.positionRisk("BTCUSDT");
        equal(pos!.marginType, "cross");
        near(pos!.liquidationPrice, liq, "liquidationPrice");
      },
    );

    const engine = rig.sim.trading.engine;
    const open = () =>
      Number(
        (engine.positionRisk(accountId, { symbol: "BTCUSDT" }).body as {
          positionAmt: string;
        }[])[0]!.positionAmt,
      );
    for (let i = 0; i < 6 * 360 && open() !== 0; i++) {
      rig.clock.advance(10_000);
      if (h.keys.busy) await h.keys.idle();
    }
    equal(open(), 0, "liquidated within six sim hours");
    // The 08:00 funding moved the wallet before the call.
    await waitUntil(
      () =>
        h.events.some((e) =>
          e.kind === "accountUpdate" && e.reason === "FUNDING_FEE"
        ),
      "FUNDING_FEE",
    );
    const funding = h.events.flatMap((e) =>
      e.kind === "accountUpdate" && e.reason === "FUNDING_FEE"
        ? e.balances.map((b) => Number(b.balanceChange))
        : []
    ).reduce((a, b) => a + b, 0);
    notEqual(funding, 0);
    const held = wallet + funding;
    const liqNow = (held + q * entry) / (q * (1 + rate));

    await t.step(
      "every MARGIN_CALL adds up, at a ratio of at least 0.8",
      async () => {
        await waitUntil(
          () => h.events.some((e) => e.kind === "marginCall"),
          "MARGIN_CALL",
        );
        const calls = h.events.filter((e): e is MarginCallEvent =>
          e.kind === "marginCall"
        );
        for (const call of calls) {
          const [p] = call.positions;
          ok(p);
          equal(p.symbol, "BTCUSDT");
          equal(Number(p.positionAmt), -q);
          const mark = Number(p.markPrice);
          near(p.maintMargin, q * mark * rate, "mm = q · mark · rate");
          near(p.unrealizedPnl, q * (entry - mark), "up = q · (entry − mark)");
          near(call.crossWalletBalance!, held, "cw = wallet + funding");
          const ratio = Number(p.maintMargin) /
            (held + Number(p.unrealizedPnl));
          ok(ratio >= 0.8 && ratio < 1, `ratio ${ratio}`);
        }
      },
    );

    await t.step(
      "the autoclose order fills at the mark past the liquidation price",
      async () => {
        await waitUntil(
          () =>
            h.events.some((e) =>
              e.kind === "orderUpdate" &&
              e.clientOrderId.startsWith("autoclose-")
            ),
          "the autoclose order",
        );
        const close = h.events.find((e): e is OrderUpdateEvent =>
          e.kind === "orderUpdate" && e.clientOrderId.startsWith("autoclose-")
        )!;
        equal(close.side, "BUY");
        equal(close.status, "FILLED");
        equal(Number(close.filledQty), q);
        const price = Number(close.avgPrice);
        ok(price >= liqNow - 0.1, `${price} vs ${liqNow}`);
        ok(price < liqNow * 1.002, "closed promptly");
        const left = Number(
          (await client.balance()).find((b) => b.asset === "USDT")!.balance,
        );
        near(left, held - q * (price - entry), "wallet after the loss");
        ok(
          h.events.findIndex((e) => e.kind === "marginCall") <
            h.events.indexOf(close),
          "the margin call came first",
        );
      },
    );
  });
}

async function maintRateOf(restUrl: string): Promise<number> {
  const info = await (await fetch(`${restUrl}/fapi/v1/exchangeInfo`))
    .json() as { symbols: { symbol: string; maintMarginPercent: string }[] };
  return Number(
    info.symbols.find((s) => s.symbol === "BTCUSDT")!.maintMarginPercent,
  ) / 100;
}
