import { deepEqual, equal, match } from "node:assert/strict";
import { weakProtection } from "./protection.ts";

Deno.test("weakProtection: the defaults pass; a kill threshold near 1 or a stop past liquidation does not", () => {
  deepEqual(
    weakProtection({ leverage: 10, slBps: 25, killThreshold: 1.2 }),
    [],
  );
  deepEqual(
    weakProtection({ leverage: 125, slBps: 25, killThreshold: 1.1 }),
    [],
  );
  const kill = weakProtection({ leverage: 10, slBps: 25, killThreshold: 1 });
  equal(kill.length, 1);
  match(kill[0]!, /--kill_threshold 1 is below 1\.1/);
  const lev = weakProtection({ leverage: 125, slBps: 40, killThreshold: 1.2 });
  equal(lev.length, 1);
  match(
    lev[0]!,
    /--leverage 125 with --sl_bps 40: the stop-loss would lose 50 % of the margin/,
  );
  equal(
    weakProtection({ leverage: 50, slBps: 100, killThreshold: 1.05 }).length,
    2,
  );
});
