import { deepEqual, equal, notEqual, ok } from "node:assert/strict";
import { openSocket, sleep } from "../_test_util.ts";
import { bookTop, startRig } from "./_test_rig.ts";

const MINUTE = 60_000;

interface Event {
  e: string;
  E: number;
  // deno-lint-ignore no-explicit-any
  [k: string]: any;
}

function events(messages: readonly string[]): Event[] {
  return messages.map((m) => JSON.parse(m) as Event);
}

Deno.test("listenKey lifecycle on the sim clock", async (t) => {
  await using rig = await startRig();
  const { sim, clock, v1 } = rig;
  const key = (method: "POST" | "PUT" | "DELETE") =>
    rig.call(v1, method, "/fapi/v1/listenKey", {}, "USER_STREAM");

  let listenKey = "";
  await t.step(
    "POST creates a key; POST again returns the same key",
    async () => {
      const a = await key("POST");
      equal(a.status, 200);
      listenKey = a.body.listenKey;
      ok(/^[0-9a-f]{64}$/.test(listenKey));
      const b = await key("POST");
      equal(b.body.listenKey, listenKey);
      equal(sim.trading.listenKeyOf(rig.v1Id), listenKey);
    },
  );

  const ws = await openSocket(`${sim.wsUrl}/ws/${listenKey}`);
  try {
    await t.step(
      "the user stream pushes order events ordered by E",
      async () => {
        const { bid } = await bookTop(sim, "BTCUSDT");
        const price = (Math.floor(bid * 0.97 * 10) / 10).toFixed(1);
        await rig.call(v1, "POST", "/fapi/v1/order", {
          symbol: "BTCUSDT",
          side: "BUY",
          type: "LIMIT",
          timeInForce: "GTC",
          quantity: "0.002",
          price,
          newClientOrderId: "ws-limit",
        });
        await rig.call(v1, "POST", "/fapi/v1/order", {
          symbol: "BTCUSDT",
          side: "BUY",
          type: "MARKET",
          quantity: "0.003",
          newClientOrderId: "ws-market",
        });
        await ws.waitFor((m) => m.includes('"ACCOUNT_UPDATE"'));
        const evs = events(ws.messages);
        const updates = evs.filter((e) => e.e === "ORDER_TRADE_UPDATE").map((
          e,
        ) => [e.o.c, e.o.x, e.o.X]);
        deepEqual(updates, [
          ["ws-limit", "NEW", "NEW"],
          ["ws-market", "NEW", "NEW"],
          ["ws-market", "TRADE", "FILLED"],
        ]);
        const acc = evs.find((e) => e.e === "ACCOUNT_UPDATE")!;
        equal(acc.a.m, "ORDER");
        equal(acc.a.P[0].pa, "0.003");
        for (let i = 1; i < evs.length; i++) ok(evs[i]!.E >= evs[i - 1]!.E);
      },
    );

    await t.step("keepalive extends the key by 60 minutes", async () => {
      clock.advance(30 * MINUTE);
      equal((await key("PUT")).status, 200);
      clock.advance(59 * MINUTE);
      equal(sim.trading.listenKeyOf(rig.v1Id), listenKey);
      ok(!ws.messages.some((m) => m.includes("listenKeyExpired")));
    });

    await t.step(
      "on expiry the stream gets listenKeyExpired, then nothing",
      async () => {
        clock.advance(MINUTE);
        const msg = await ws.waitFor((m) => m.includes("listenKeyExpired"));
        deepEqual(JSON.parse(msg), {
          e: "listenKeyExpired",
          E: sim.clock.now(),
        });
        const before = ws.messages.length;
        await rig.call(v1, "POST", "/fapi/v1/order", {
          symbol: "BTCUSDT",
          side: "BUY",
          type: "MARKET",
          quantity: "0.001",
        });
        await sleep(50);
        equal(ws.messages.length, before);
        const put = await key("PUT");
        equal(put.status, 400);
        equal(put.body.code, -1125);
      },
    );

    await t.step(
      "POST then creates a new key; DELETE closes its streams",
      async () => {
        const fresh = (await key("POST")).body.listenKey;
        notEqual(fresh, listenKey);
        const ws2 = await openSocket(`${sim.wsUrl}/ws/${fresh}`);
        equal(sim.trading.userStreams, 1);
        deepEqual((await key("DELETE")).body, {});
        const closed = await ws2.closed;
        equal(closed.code, 1000);
        equal(sim.trading.listenKeyOf(rig.v1Id), undefined);
      },
    );
  } finally {
    await ws.close();
  }
});

Deno.test("V3 user stream reports funding and a conditional trigger", async (t) => {
  await using rig = await startRig();
  const { sim, clock, v3 } = rig;
  const created = await rig.call(
    v3,
    "POST",
    "/fapi/v3/listenKey",
    {},
    "USER_STREAM",
  );
  equal(created.status, 200, JSON.stringify(created.body));
  const ws = await openSocket(`${sim.wsUrl}/ws/${created.body.listenKey}`);
  try {
    const buy = await rig.call(v3, "POST", "/fapi/v3/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      quantity: "0.010",
      newOrderRespType: "RESULT",
    });
    equal(buy.body.status, "FILLED");

    await t.step(
      "funding at 08:00 is paid from the wallet and reported",
      async () => {
        const acc = await rig.call(
          v3,
          "GET",
          "/fapi/v3/accountWithJoinMargin",
          {},
          "USER_DATA",
        );
        const walletBefore = Number(acc.body.totalWalletBalance);
        const fundingTime = Date.UTC(2026, 0, 7, 8, 0, 0);
        clock.set(fundingTime);
        const msg = await ws.waitFor((m) => m.includes("FUNDING_FEE"));
        const ev = JSON.parse(msg) as Event;
        equal(ev.e, "ACCOUNT_UPDATE");
        equal(ev.E, fundingTime);
        const rows = await (await fetch(
          `${sim.restUrl}/fapi/v1/fundingRate?symbol=BTCUSDT&limit=1`,
        )).json();
        equal(rows[0].fundingTime, fundingTime);
        const rate = Number(rows[0].fundingRate);
        const premium = await (await fetch(
          `${sim.restUrl}/fapi/v1/premiumIndex?symbol=BTCUSDT`,
        )).json();
        const mark = Number(premium.markPrice);
        const payment = -Math.round(0.01 * mark * rate * 1e8) / 1e8;
        ok(payment !== 0);
        const wallet = Number(ev.a.B[0].wb);
        ok(
          Math.abs(wallet - (walletBefore + payment)) < 2e-8,
          `wallet ${wallet} != ${walletBefore} + ${payment}`,
        );
      },
    );

    await t.step(
      "a stop or take-profit triggers on the contract price",
      async () => {
        const last = Number(
          (await (await fetch(
            `${sim.restUrl}/fapi/v1/ticker/price?symbol=BTCUSDT`,
          )).json()).price,
        );
        for (
          const [type, stop] of [
            ["STOP_MARKET", last * 0.9995],
            ["TAKE_PROFIT_MARKET", last * 1.0005],
          ] as const
        ) {
          const r = await rig.call(v3, "POST", "/fapi/v3/order", {
            symbol: "BTCUSDT",
            side: "SELL",
            type,
            stopPrice: stop.toFixed(1),
            closePosition: true,
            workingType: "CONTRACT_PRICE",
          });
          equal(r.status, 200, JSON.stringify(r.body));
        }
        const amount = () =>
          (sim.trading.engine.positionRisk(rig.v3Id, { symbol: "BTCUSDT" })
            .body as { positionAmt: string }[])[0]!.positionAmt;
        for (let i = 0; i < 1800 && amount() !== "0.000"; i++) {
          clock.advance(1000);
        }
        equal(amount(), "0.000");
        const msg = await ws.waitFor((m) =>
          m.includes('"ORDER_TRADE_UPDATE"') && m.includes('"x":"TRADE"') &&
          m.includes("_MARKET")
        );
        const ev = JSON.parse(msg) as Event;
        equal(ev.o.o, "MARKET");
        ok(["STOP_MARKET", "TAKE_PROFIT_MARKET"].includes(ev.o.ot));
        equal(ev.o.X, "FILLED");
        equal(ev.o.z, "0.010");
        const closing = await ws.waitFor((m) =>
          m.includes('"m":"ORDER"') && m.includes('"pa":"0.000"')
        );
        equal(JSON.parse(closing).E, ev.E);
        equal(
          ev.o.sp,
          (ev.o.ot === "STOP_MARKET" ? last * 0.9995 : last * 1.0005).toFixed(
            1,
          ),
        );
      },
    );
  } finally {
    await ws.close();
  }
});
