import { deepEqual, equal, throws } from "node:assert/strict";
import { parseUserEvent } from "./user_events.ts";

Deno.test("parseUserEvent() types the user-stream events of §5", async (t) => {
  await t.step("ORDER_TRADE_UPDATE with a fill", () => {
    const e = parseUserEvent(JSON.stringify({
      e: "ORDER_TRADE_UPDATE",
      E: 1568879465651,
      T: 1568879465650,
      o: {
        s: "BTCUSDT",
        c: "TEST",
        S: "SELL",
        o: "MARKET",
        f: "GTC",
        q: "0.001",
        p: "0",
        ap: "9000.1",
        sp: "7103.04",
        x: "TRADE",
        X: "FILLED",
        i: 8886774,
        l: "0.001",
        z: "0.001",
        L: "9000.1",
        N: "USDT",
        n: "0.0036",
        T: 1568879465651,
        t: 11,
        b: "0",
        a: "9.91",
        m: false,
        R: true,
        wt: "CONTRACT_PRICE",
        ot: "STOP_MARKET",
        ps: "BOTH",
        cp: false,
        rp: "0.5",
      },
    }));
    deepEqual(e, {
      kind: "orderUpdate",
      eventTime: 1568879465651,
      transactionTime: 1568879465650,
      symbol: "BTCUSDT",
      clientOrderId: "TEST",
      orderId: 8886774,
      side: "SELL",
      orderType: "MARKET",
      origType: "STOP_MARKET",
      timeInForce: "GTC",
      origQty: "0.001",
      price: "0",
      avgPrice: "9000.1",
      stopPrice: "7103.04",
      execType: "TRADE",
      status: "FILLED",
      lastFilledQty: "0.001",
      filledQty: "0.001",
      lastFilledPrice: "9000.1",
      tradeId: 11,
      maker: false,
      reduceOnly: true,
      closePosition: false,
      positionSide: "BOTH",
      workingType: "CONTRACT_PRICE",
      realizedPnl: "0.5",
      commission: "0.0036",
      commissionAsset: "USDT",
    });
  });
  await t.step("ACCOUNT_UPDATE for funding (balances only)", () => {
    const e = parseUserEvent({
      e: "ACCOUNT_UPDATE",
      E: 1564745798939,
      T: 1564745798938,
      a: {
        m: "FUNDING_FEE",
        B: [{
          a: "USDT",
          wb: "122624.12345678",
          cw: "100.12345678",
          bc: "-1.5",
        }],
        P: [],
      },
    });
    deepEqual(e, {
      kind: "accountUpdate",
      eventTime: 1564745798939,
      transactionTime: 1564745798938,
      reason: "FUNDING_FEE",
      balances: [{
        asset: "USDT",
        walletBalance: "122624.12345678",
        crossWalletBalance: "100.12345678",
        balanceChange: "-1.5",
      }],
      positions: [],
    });
  });
  await t.step("MARGIN_CALL and ACCOUNT_CONFIG_UPDATE", () => {
    const m = parseUserEvent({
      e: "MARGIN_CALL",
      E: 1587727187525,
      cw: "3.16812045",
      p: [{
        s: "ETHUSDT",
        ps: "LONG",
        pa: "1.327",
        mt: "CROSSED",
        iw: "0",
        mp: "187.17127",
        up: "-1.166074",
        mm: "1.614445",
      }],
    });
    equal(m?.kind, "marginCall");
    if (m?.kind === "marginCall") {
      equal(m.crossWalletBalance, "3.16812045");
      equal(m.positions[0]!.maintMargin, "1.614445");
    }
    deepEqual(
      parseUserEvent({
        e: "ACCOUNT_CONFIG_UPDATE",
        E: 1611646737479,
        T: 1611646737476,
        ac: { s: "BTCUSDT", l: 25 },
      }),
      {
        kind: "accountConfig",
        eventTime: 1611646737479,
        leverage: { symbol: "BTCUSDT", leverage: 25 },
      },
    );
  });
  await t.step("listenKeyExpired; unknown e is undefined", () => {
    deepEqual(parseUserEvent('{"e":"listenKeyExpired","E":1576653824250}'), {
      kind: "listenKeyExpired",
      eventTime: 1576653824250,
    });
    equal(parseUserEvent({ e: "announcement", E: 1 }), undefined);
  });
  await t.step("malformed payloads throw", () => {
    throws(() => parseUserEvent("{"), SyntaxError);
    throws(() => parseUserEvent({ e: "ORDER_TRADE_UPDATE", E: 1 }), TypeError);
    throws(() => parseUserEvent({ e: "MARGIN_CALL" }), SyntaxError);
  });
});
