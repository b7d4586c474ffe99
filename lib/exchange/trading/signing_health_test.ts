import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { ExchangeError } from "../errors.ts";
import { createSigner } from "../sign/create_signer.ts";
import { v3Credentials } from "../sign/credentials.ts";
import { NonceClockError, NonceCounter } from "../sign/nonce.ts";
import { Secret } from "../sign/secret.ts";
import { TimeSync } from "../sign/time_sync.ts";
import { SigningHealth } from "./signing_health.ts";
import { TradingClient } from "./trading_client.ts";
import { startSimRig } from "./_sim_rig.ts";

Deno.test("SigningHealth: a stretch runs from the first clock error to the next accepted request", () => {
  let now = 1_000;
  const h = new SigningHealth(() => now);
  deepEqual(h.state(), { failingMs: 0, clockErrors: 0 });
  h.clockError("-1021 outside of the recvWindow");
  now += 4_000;
  h.clockError("-1021 again");
  now += 3_000;
  deepEqual(h.state(), {
    failingMs: 7_000,
    clockErrors: 2,
    lastError: "-1021 again",
    lastErrorAgoMs: 3_000,
  });
  h.accepted(h.ticket());
  equal(h.state().failingMs, 0);
  equal(h.state().clockErrors, 2);
});

Deno.test("SigningHealth: an accepted request signed before the stretch began does not end it; one signed after its first error does", () => {
  let now = 0;
  const h = new SigningHealth(() => now);
  const slow = h.ticket(); // an order signed while the clock was fine, answered late
  h.clockError("-1021 outside of the recvWindow");
  const after = h.ticket(); // signed after the first error (e.g. the retry)
  h.clockError("-1021 again");
  now += 10_000;
  h.accepted(slow);
  equal(h.state().failingMs, 10_000);
  h.accepted(after);
  equal(h.state().failingMs, 0);
  // a new stretch: a ticket of the old one is now from before it
  h.clockError("-1021 a third time");
  now += 1_000;
  h.accepted(after);
  equal(h.state().failingMs, 1_000);
});

for (const scheme of ["v1", "v3"] as const) {
  Deno.test(`TradingClient (${scheme}) on the simulator: signed requests failing with clock errors start a stretch an accepted one ends; a cured -1021 ends at once`, async () => {
    await using rig = await startSimRig();
    let now = 0;
    const clock = {
      now: () => now,
      sleep: () => Promise.resolve(),
    };
    // a resync that cures nothing (the exchange's clock and its /time disagree)
    const stuck = rig.makeClient(scheme, {}, {
      clock,
      monotonic: () => now,
      timeSync: { resync: () => Promise.resolve() },
    });
    equal((await stuck.client.balance()).length > 0, true);
    rig.sim.faults.skewMs(70_000);
    const refused = async () => {
      try {
        await stuck.client.positionRisk();
      } catch (e) {
        ok(e instanceof ExchangeError, String(e));
        return e.code;
      }
      return 0;
    };
    equal(await refused(), scheme === "v1" ? -1021 : -4225);
    now += 5_000;
    equal(await refused(), scheme === "v1" ? -1021 : -4225);
    now += 5_000;
    const s = stuck.client.signing.state();
    equal(s.failingMs, 10_000);
    // the first try and its retry after the resync, twice
    equal(s.clockErrors, 4);
    ok(s.lastError?.startsWith(scheme === "v1" ? "-1021 " : "-4225 "));
    // the clocks agree again: the next signed request is accepted
    rig.sim.faults.skewMs(0);
    await stuck.client.positionRisk();
    equal(stuck.client.signing.state().failingMs, 0);
    // a real resync cures a step at once: the stretch ends with the retry
    const synced = rig.makeClient(scheme, {}, { clock, monotonic: () => now });
    await synced.sync.start();
    rig.sim.faults.skewMs(20_000);
    await synced.client.positionRisk();
    deepEqual(
      [
        synced.client.signing.state().failingMs,
        synced.client.signing.state().clockErrors,
      ],
      [0, 1],
    );
  });
}

Deno.test("TradingClient (v3) on the simulator: a nonce the signer refuses locally (too far from the local clock) is a clock error too", async () => {
  await using rig = await startSimRig();
  let now = 0;
  let localOffMs = 0;
  const signer = createSigner(
    v3Credentials(
      rig.demo.user,
      rig.demo.signer,
      new Secret(rig.demo.agentKey),
    ),
    {
      clock: () => rig.clock.now(),
      localClock: () => rig.clock.now() + localOffMs,
      nonces: new NonceCounter(),
    },
  );
  const { client } = rig.makeClient("v3", {}, {
    signer,
    clock: { now: () => now, sleep: () => Promise.resolve() },
    monotonic: () => now,
  });
  await client.positionRisk();
  // the local clock reads 20 s off the signing clock: every nonce is refused unsent
  localOffMs = 20_000;
  await rejects(client.positionRisk(), NonceClockError);
  now += 3_000;
  await rejects(client.positionRisk(), NonceClockError);
  const s = client.signing.state();
  equal(s.failingMs, 3_000);
  // the first try and its retry after the resync (which cannot cure it here), twice
  equal(s.clockErrors, 4);
  ok(s.lastError?.startsWith("Cannot issue nonce: it would be"));
  localOffMs = 0;
  await client.positionRisk();
  equal(client.signing.state().failingMs, 0);
});

Deno.test("TradingClient (v3) on the simulator: after the local clock steps back 30 s, the signer's local nonce refusal resyncs, and a request is accepted at the second round", async () => {
  await using rig = await startSimRig();
  // wired as the live session: the nonce bounded by the stepped local clock, a live
  // TimeSync (5 s offset limit, 1 s jump limit: a step needs two agreeing measurements)
  let shift = 0;
  const local = () => rig.clock.now() + shift;
  using sync = new TimeSync({
    serverTime: async (signal) => {
      const res = await fetch(`${rig.sim.restUrl}/fapi/v1/time`, { signal });
      return ((await res.json()) as { serverTime: number }).serverTime;
    },
    clock: local,
    samples: 1,
    maxOffsetMs: 5_000,
    maxJumpMs: 1_000,
  });
  const client = new TradingClient({
    signer: createSigner(
      v3Credentials(
        rig.demo.user,
        rig.demo.signer,
        new Secret(rig.demo.agentKey),
      ),
      {
        clock: () => sync.now(),
        nonces: new NonceCounter(),
        localClock: () => sync.steppedLocalNow(),
      },
    ),
    timeSync: sync,
    baseUrl: rig.sim.restUrl,
    clock: { now: local, sleep: () => Promise.resolve() },
    orderRate: { limit: 100_000 },
  });
  await sync.start();
  await client.positionRisk();
  // an NTP step of a fast clock: the nonce counter (which never goes back) is now 30 s
  // ahead of the local clock, so the signer refuses every nonce locally
  shift = -30_000;
  const rounds: string[] = [];
  for (let round = 1; round <= 2; round++) {
    rig.clock.advance(5_000); // one signed request per 5 s, as the housekeeping's
    try {
      await client.positionRisk();
      rounds.push("ok");
    } catch (e) {
      ok(e instanceof RangeError, String(e));
      rounds.push("refused");
      // the refusal is a clock error: the stretch is on
      ok(client.signing.state().clockErrors >= 1);
    }
  }
  // round 1: the refusal's resync measures +30 s (held, one measurement); round 2: its
  // resync confirms it, the nonce bound moves with the step and the retry is accepted
  deepEqual(rounds, ["refused", "ok"]);
  equal(client.signing.state().failingMs, 0);
});

Deno.test("TradingClient on the simulator: the stretch is timed on the monotonic clock, not the wall clock that stepped", async () => {
  await using rig = await startSimRig();
  let wall = 1_800_000_000_000;
  let mono = 0;
  const clock = { now: () => wall, sleep: () => Promise.resolve() };
  const stuck = { resync: () => Promise.resolve() };
  const { client } = rig.makeClient("v1", {}, {
    clock,
    monotonic: () => mono,
    timeSync: stuck,
  });
  rig.sim.faults.skewMs(70_000);
  await rejects(client.positionRisk(), ExchangeError);
  // the wall clock steps back 60 s (the incident), while 10 s really pass
  wall -= 60_000;
  mono += 10_000;
  await rejects(client.positionRisk(), ExchangeError);
  equal(client.signing.state().failingMs, 10_000);
  // by default (no monotonic clock given) a forward wall-clock step does not count either
  const { client: plain } = rig.makeClient("v1", {}, {
    clock,
    timeSync: stuck,
  });
  await rejects(plain.positionRisk(), ExchangeError);
  wall += 600_000;
  ok(plain.signing.state().failingMs < 60_000);
});

Deno.test("TradingClient (v1) on the simulator: an order signed before the clock went bad, answered late, does not end the stretch of -1021 answers", async () => {
  await using rig = await startSimRig();
  let mono = 0;
  const { client, accountId } = rig.makeClient("v1", {}, {
    monotonic: () => mono,
    timeSync: { resync: () => Promise.resolve() }, // cures nothing
  });
  // the order is executed at once (signed with a good clock) but answered 1.5 s late
  rig.sim.faults.delayNextOrderReply(1, 1_500);
  const slow = client.placeOrder({
    symbol: "BTCUSDT",
    side: "BUY",
    type: "MARKET",
    quantity: "0.001",
  });
  // wait until the engine executed it (the reply is still held back)
  const held = () => {
    const raw = rig.sim.trading.engine.positionRisk(accountId, {
      symbol: "BTCUSDT",
    }) as { body: { positionAmt: string }[] };
    return Number(raw.body[0]?.positionAmt ?? 0) !== 0;
  };
  for (let i = 0; !held(); i++) {
    ok(i < 500, "the order never reached the engine");
    await new Promise((r) => setTimeout(r, 10));
  }
  // meanwhile the exchange's clock runs 70 s off: every later signed request gets -1021
  rig.sim.faults.skewMs(70_000);
  await rejects(client.positionRisk(), ExchangeError);
  mono += 20_000;
  equal((await slow).status, "placed");
  equal(client.signing.state().failingMs, 20_000);
  rig.sim.faults.skewMs(0);
  await client.positionRisk();
  equal(client.signing.state().failingMs, 0);
});
