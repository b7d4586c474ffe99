import { deepEqual, equal, throws } from "node:assert/strict";
import {
  parseAccount,
  parseBalances,
  parseBatchItems,
  parseCodeMsg,
  parseCommissionRate,
  parseLeverage,
  parseListenKey,
  parseOrder,
  parsePositionMode,
  parsePositionRisk,
} from "./parsers.ts";

// The order response of aster-protocol §3.2.
const DOC_ORDER = {
  orderId: 22542179,
  symbol: "BTCUSDT",
  status: "NEW",
  clientOrderId: "testOrder",
  price: "0",
  avgPrice: "0.00000",
  origQty: "10",
  executedQty: "0",
  cumQty: "0",
  cumQuote: "0",
  timeInForce: "GTC",
  type: "TRAILING_STOP_MARKET",
  origType: "TRAILING_STOP_MARKET",
  reduceOnly: false,
  closePosition: false,
  side: "BUY",
  positionSide: "SHORT",
  stopPrice: "9300",
  workingType: "CONTRACT_PRICE",
  priceProtect: false,
  activatePrice: "9020",
  priceRate: "0.3",
  updateTime: 1566818724722,
};

Deno.test("parseOrder() reads the protocol's order shape", async (t) => {
  await t.step("the documented response", () => {
    deepEqual(parseOrder(DOC_ORDER), {
      orderId: 22542179,
      symbol: "BTCUSDT",
      status: "NEW",
      clientOrderId: "testOrder",
      price: "0",
      avgPrice: "0.00000",
      origQty: "10",
      executedQty: "0",
      cumQuote: "0",
      timeInForce: "GTC",
      type: "TRAILING_STOP_MARKET",
      origType: "TRAILING_STOP_MARKET",
      side: "BUY",
      positionSide: "SHORT",
      reduceOnly: false,
      closePosition: false,
      stopPrice: "9300",
      workingType: "CONTRACT_PRICE",
      priceProtect: false,
      activatePrice: "9020",
      priceRate: "0.3",
      updateTime: 1566818724722,
    });
  });
  await t.step("V3 extras, string booleans and numeric decimals", () => {
    const o = parseOrder({
      ...DOC_ORDER,
      reduceOnly: "true",
      price: 9000.5,
      time: 1566818724000,
      newChainData: { hash: "0xabc" },
    });
    equal(o.reduceOnly, true);
    equal(o.price, "9000.5");
    equal(o.time, 1566818724000);
  });
  await t.step("rejects an unknown status, a missing id, a bad decimal", () => {
    throws(
      () => parseOrder({ ...DOC_ORDER, status: "EXPIRED_IN_MATCH" }),
      SyntaxError,
    );
    throws(() => parseOrder({ ...DOC_ORDER, orderId: undefined }), SyntaxError);
    throws(() => parseOrder({ ...DOC_ORDER, origQty: "ten" }), SyntaxError);
    throws(() => parseOrder([]), TypeError);
  });
});

Deno.test("parseBatchItems() splits orders from per-item errors", () => {
  const items = parseBatchItems([
    { ...DOC_ORDER, status: "CANCELED" },
    { code: -2011, msg: "Unknown order sent." },
  ]);
  equal(items.length, 2);
  equal(items[0]!.ok && items[0]!.order.status, "CANCELED");
  deepEqual(items[1], { ok: false, code: -2011, msg: "Unknown order sent." });
});

Deno.test("parseCodeMsg() accepts string and number codes", () => {
  deepEqual(
    parseCodeMsg({
      code: "200",
      msg: "The operation of cancel all open order is done.",
    }),
    { code: 200, msg: "The operation of cancel all open order is done." },
  );
  deepEqual(parseCodeMsg({ code: 200, msg: "success" }), {
    code: 200,
    msg: "success",
  });
  throws(() => parseCodeMsg({ msg: "x" }), SyntaxError);
});

Deno.test("parseBalances(), parseAccount(), parsePositionRisk() read account shapes", async (t) => {
  await t.step("balance rows", () => {
    deepEqual(
      parseBalances([{
        accountAlias: "SgsR",
        asset: "USDT",
        balance: "122607.35137903",
        crossWalletBalance: "23.72469206",
        crossUnPnl: "0.00000000",
        availableBalance: "23.72469206",
        maxWithdrawAmount: "23.72469206",
        marginAvailable: true,
        updateTime: 1617939110373,
      }]),
      [{
        asset: "USDT",
        balance: "122607.35137903",
        crossWalletBalance: "23.72469206",
        crossUnPnl: "0.00000000",
        availableBalance: "23.72469206",
        maxWithdrawAmount: "23.72469206",
        updateTime: 1617939110373,
      }],
    );
  });
  await t.step("account totals, assets and positions", () => {
    const acc = parseAccount({
      feeTier: 0,
      canTrade: true,
      canDeposit: true,
      canWithdraw: true,
      updateTime: 0,
      totalInitialMargin: "0.00000000",
      totalMaintMargin: "0.00000000",
      totalWalletBalance: "23.72469206",
      totalUnrealizedProfit: "0.00000000",
      totalMarginBalance: "23.72469206",
      totalPositionInitialMargin: "0.00000000",
      totalOpenOrderInitialMargin: "0.00000000",
      totalCrossWalletBalance: "23.72469206",
      totalCrossUnPnl: "0.00000000",
      availableBalance: "23.72469206",
      maxWithdrawAmount: "23.72469206",
      assets: [{
        asset: "USDT",
        walletBalance: "23.72469206",
        unrealizedProfit: "0.00000000",
        marginBalance: "23.72469206",
        maintMargin: "0.00000000",
        initialMargin: "0.00000000",
        positionInitialMargin: "0.00000000",
        openOrderInitialMargin: "0.00000000",
        crossWalletBalance: "23.72469206",
        crossUnPnl: "0.00000000",
        availableBalance: "23.72469206",
        maxWithdrawAmount: "23.72469206",
        marginAvailable: true,
        updateTime: 1625474304765,
      }],
      positions: [{
        symbol: "BTCUSDT",
        initialMargin: "0",
        maintMargin: "0",
        unrealizedProfit: "0.00000000",
        positionInitialMargin: "0",
        openOrderInitialMargin: "0",
        leverage: "100",
        isolated: true,
        entryPrice: "0.00000",
        maxNotional: "250000",
        positionSide: "BOTH",
        positionAmt: "0",
        updateTime: 0,
      }],
    });
    equal(acc.totalMarginBalance, "23.72469206");
    equal(acc.assets[0]!.walletBalance, "23.72469206");
    deepEqual(acc.positions[0], {
      symbol: "BTCUSDT",
      positionAmt: "0",
      entryPrice: "0.00000",
      unrealizedProfit: "0.00000000",
      initialMargin: "0",
      maintMargin: "0",
      leverage: 100,
      isolated: true,
      positionSide: "BOTH",
      updateTime: 0,
    });
    throws(() => parseAccount({ canTrade: true }), SyntaxError);
  });
  await t.step(
    "positionRisk rows with string leverage and lowercase margin type",
    () => {
      const [row] = parsePositionRisk([{
        entryPrice: "0.00000",
        marginType: "isolated",
        isAutoAddMargin: "false",
        isolatedMargin: "0.00000000",
        leverage: "10",
        liquidationPrice: "0",
        markPrice: "6679.50671178",
        maxNotionalValue: "20000000",
        positionAmt: "-0.001",
        symbol: "BTCUSDT",
        unRealizedProfit: "0.00000000",
        positionSide: "BOTH",
        notional: "-6.67950671",
        updateTime: 0,
      }]);
      equal(row!.leverage, 10);
      equal(row!.marginType, "isolated");
      equal(row!.positionAmt, "-0.001");
      equal(row!.notional, "-6.67950671");
      throws(
        () =>
          parsePositionRisk([{
            ...row,
            leverage: "10",
            marginType: "portfolio",
          }]),
        SyntaxError,
      );
    },
  );
});

Deno.test("small answers parse: leverage, commission, listenKey, position mode", () => {
  deepEqual(
    parseLeverage({
      leverage: 21,
      maxNotionalValue: "1000000",
      symbol: "BTCUSDT",
    }),
    { leverage: 21, maxNotionalValue: "1000000", symbol: "BTCUSDT" },
  );
  deepEqual(
    parseCommissionRate({
      symbol: "BTCUSDT",
      makerCommissionRate: "0.0002",
      takerCommissionRate: "0.0004",
    }),
    {
      symbol: "BTCUSDT",
      makerCommissionRate: "0.0002",
      takerCommissionRate: "0.0004",
    },
  );
  equal(
    parseListenKey({
      listenKey:
        "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1",
    }).length,
    64,
  );
  throws(() => parseListenKey({}), TypeError);
  equal(parsePositionMode({ dualSidePosition: true }), true);
});
