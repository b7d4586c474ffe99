import { deepEqual, equal, ok } from "node:assert/strict";
import { startRig } from "./_test_rig.ts";

Deno.test("GET /fapi/v1|v3/leverageBracket serves the engine's brackets (signed, weight 1)", async (t) => {
  await using rig = await startRig();
  const { v1, v3 } = rig;
  for (
    const [label, signer, path] of [
      ["v1 (HMAC)", v1, "/fapi/v1/leverageBracket"],
      ["v3 (EIP-712)", v3, "/fapi/v3/leverageBracket"],
    ] as const
  ) {
    await t.step(`${label}: every symbol, then one`, async () => {
      const all = await rig.call(signer, "GET", path, {}, "USER_DATA");
      equal(all.status, 200, JSON.stringify(all.body));
      const symbols = (all.body as { symbol: string }[]).map((r) => r.symbol);
      ok(symbols.includes("BTCUSDT") && symbols.includes("ETHUSDT"));
      const one = await rig.call(
        signer,
        "GET",
        path,
        { symbol: "BTCUSDT" },
        "USER_DATA",
      );
      equal(one.status, 200);
      const rows = one.body as {
        symbol: string;
        brackets: {
          bracket: number;
          initialLeverage: number;
          notionalCap: number;
          notionalFloor: number;
          maintMarginRatio: number;
          cum: number;
        }[];
      }[];
      equal(rows.length, 1);
      equal(rows[0]!.symbol, "BTCUSDT");
      const b = rows[0]!.brackets;
      ok(b.length >= 1);
      equal(b[0]!.bracket, 1);
      equal(b[0]!.notionalFloor, 0);
      ok(b[0]!.initialLeverage >= 1 && b[0]!.maintMarginRatio > 0);
      b.forEach((x, i) => {
        if (i > 0) equal(x.notionalFloor, b[i - 1]!.notionalCap);
      });
    });
  }
  await t.step("an unknown symbol is -1121; unsigned is refused", async () => {
    const bad = await rig.call(
      v1,
      "GET",
      "/fapi/v1/leverageBracket",
      { symbol: "NOPEUSDT" },
      "USER_DATA",
    );
    equal(bad.status, 400);
    equal((bad.body as { code: number }).code, -1121);
    const res = await fetch(`${rig.sim.restUrl}/fapi/v1/leverageBracket`);
    ok(res.status >= 400);
    deepEqual(typeof (await res.json()).code, "number");
  });
});
