import assert from "node:assert/strict";
import { UsageError } from "../cli/mod.ts";
import {
  envName,
  LIVE_FLAGS,
  liveConfig,
  parseLayeredFlags,
  parseLiveFlags,
  STRATEGY_CONFIG_KEYS,
} from "./live_flags.ts";

function layers(
  argv: string[],
  env: Record<string, string> = {},
  file?: string,
) {
  return {
    argv,
    env: (n: string) => env[n],
    readTextFile: (p: string) =>
      file !== undefined && p === "bot.json"
        ? Promise.resolve(file)
        : Promise.reject(new Deno.errors.NotFound(`no ${p}`)),
  };
}

Deno.test("parseLayeredFlags() applies flag > env > file > default", async (t) => {
  const file = JSON.stringify({
    k: 1,
    n: 3,
    T: 12,
    symbols: ["ethusdt", "BTCUSDT"],
  });
  await t.step("each layer wins over the ones below it", async () => {
    const f = await parseLayeredFlags(
      LIVE_FLAGS,
      layers(["--config", "bot.json", "--k", "0.5"], {
        ASTER_K: "0.7",
        ASTER_N: "4",
      }, file),
    );
    assert.equal(f.k, 0.5); // flag
    assert.equal(f.n, 4); // env over file
    assert.equal(f.T, 12); // file over default
    assert.equal(f.V, 30); // default
    assert.deepEqual(f.symbols, ["ethusdt", "BTCUSDT"]);
  });
  await t.step(
    "ASTER_CONFIG names the file when --config is absent",
    async () => {
      const f = await parseLayeredFlags(
        LIVE_FLAGS,
        layers([], { ASTER_CONFIG: "bot.json" }, file),
      );
      assert.equal(f.T, 12);
    },
  );
  await t.step("env names are ASTER_ + the flag in upper case", () => {
    assert.equal(envName("order_notional"), "ASTER_ORDER_NOTIONAL");
    assert.equal(envName("T"), "ASTER_T");
  });
});

Deno.test("parseLiveFlags() takes a config file only as a whole strategy", async (t) => {
  const full = Object.fromEntries(
    STRATEGY_CONFIG_KEYS.map((k) => [k, k === "symbols" ? "ETHUSDT" : 2]),
  );
  await t.step(
    "a complete file is read, other keys stay optional",
    async () => {
      const f = await parseLiveFlags(
        LIVE_FLAGS,
        layers(["--config", "bot.json"], {}, JSON.stringify(full)),
      );
      assert.equal(f.tp_bps, 2);
      assert.equal(f.leverage, 10); // not a strategy key: its default
      assert.deepEqual(f.symbols, ["ETHUSDT"]);
    },
  );
  for (const key of STRATEGY_CONFIG_KEYS) {
    await t.step(`a file without "${key}" is refused, naming it`, async () => {
      const { [key]: _, ...rest } = full;
      await assert.rejects(
        parseLiveFlags(
          LIVE_FLAGS,
          layers(["--config", "bot.json"], {}, JSON.stringify(rest)),
        ),
        (e: unknown) => {
          assert.ok(e instanceof UsageError);
          assert.match(
            e.message,
            new RegExp(`^Invalid config file bot.json: missing key "${key}"`),
          );
          return true;
        },
      );
    });
  }
  await t.step("an unknown key is still refused first", async () => {
    await assert.rejects(
      parseLiveFlags(
        LIVE_FLAGS,
        layers(["--config", "bot.json"], {}, '{"kk": 1}'),
      ),
      /unknown key "kk"/,
    );
  });
  await t.step("without a file, flags and env alone are fine", async () => {
    const f = await parseLiveFlags(LIVE_FLAGS, layers(["--k", "3"]));
    assert.equal(f.k, 3);
  });
});

Deno.test("parseLayeredFlags() names the layer of a bad value", async (t) => {
  const cases: [string, ReturnType<typeof layers>, RegExp][] = [
    [
      "flag",
      layers(["--leverage", "200"]),
      /--leverage "200": must be at most 125/,
    ],
    [
      "env",
      layers([], { ASTER_TP_BPS: "x" }),
      /ASTER_TP_BPS: Invalid --tp_bps "x"/,
    ],
    [
      "file key",
      layers(["--config", "bot.json"], {}, '{"kk": 1}'),
      /unknown key "kk"/,
    ],
    [
      "file value",
      layers(["--config", "bot.json"], {}, '{"margin_type": "CROSS"}'),
      /config file bot.json: Invalid --margin_type/,
    ],
    [
      "file JSON",
      layers(["--config", "bot.json"], {}, "{"),
      /Invalid config file bot.json/,
    ],
    [
      "missing file",
      layers(["--config", "nope.json"]),
      /Cannot read --config nope.json/,
    ],
  ];
  for (const [name, l, re] of cases) {
    await t.step(name, async () => {
      await assert.rejects(parseLayeredFlags(LIVE_FLAGS, l), (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.match(e.message, re);
        return true;
      });
    });
  }
});

Deno.test("liveConfig() converts units and rejects bad URLs and symbols", async (t) => {
  const parse = (argv: string[]) => parseLayeredFlags(LIVE_FLAGS, layers(argv));
  await t.step(
    "seconds become ms; a trailing stop only with an activation",
    async () => {
      const c = liveConfig(
        await parse([
          "--cooldown",
          "90",
          "--max_book_age",
          "2",
          "--symbols",
          "btcusdt",
        ]),
      );
      assert.equal(c.cooldownMs, 90_000);
      assert.equal(c.budgets.bookMs, 2_000);
      assert.deepEqual(c.symbols, ["BTCUSDT"]);
      assert.equal(c.trailing, undefined);
      assert.equal(c.enableTrading, false);
      const t2 = liveConfig(
        await parse([
          "--trail_activation_bps",
          "20",
          "--trail_callback_pct",
          "0.3",
        ]),
      );
      assert.deepEqual(t2.trailing, { activationBps: 20, callbackPct: 0.3 });
    },
  );
  await t.step("bad URLs and symbols are usage errors", async () => {
    const defaults = await parse([]);
    assert.throws(
      () => liveConfig({ ...defaults, rest_url: "ftp://x" }),
      UsageError,
    );
    assert.throws(
      () => liveConfig({ ...defaults, ws_url: "nope" }),
      UsageError,
    );
    assert.throws(
      () => liveConfig({ ...defaults, symbols: ["BTC-USDT"] }),
      UsageError,
    );
    assert.throws(
      () => liveConfig({ ...defaults, symbols: ["A1", "a1"] }),
      UsageError,
    );
  });
});
