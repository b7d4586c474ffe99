import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { ExchangeError } from "../errors.ts";
import { createSigner } from "../sign/create_signer.ts";
import { v3Credentials } from "../sign/credentials.ts";
import { NonceClockError, NonceCounter } from "../sign/nonce.ts";
import { Secret } from "../sign/secret.ts";
import { SigningHealth } from "./signing_health.ts";
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
  });
  h.accepted();
  equal(h.state().failingMs, 0);
  equal(h.state().clockErrors, 2);
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
    const synced = rig.makeClient(scheme, {}, { clock });
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
  });
  await client.positionRisk();
  // the local clock reads 20 s off the signing clock: every nonce is refused unsent
  localOffMs = 20_000;
  await rejects(client.positionRisk(), NonceClockError);
  now += 3_000;
  await rejects(client.positionRisk(), NonceClockError);
  const s = client.signing.state();
  equal(s.failingMs, 3_000);
  equal(s.clockErrors, 2);
  ok(s.lastError?.startsWith("Cannot issue nonce: it would be"));
  localOffMs = 0;
  await client.positionRisk();
  equal(client.signing.state().failingMs, 0);
});
