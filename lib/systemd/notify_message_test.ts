import { equal, throws } from "node:assert/strict";
import { formatNotifyMessage, watchdogTimeoutMs } from "./notify_message.ts";

Deno.test("formatNotifyMessage() encodes sd_notify assignments", async (t) => {
  await t.step("one line per state", () => {
    equal(
      formatNotifyMessage([{ kind: "ready" }, {
        kind: "status",
        text: "trading 2 symbols",
      }]),
      "READY=1\nSTATUS=trading 2 symbols",
    );
    equal(formatNotifyMessage([{ kind: "watchdog" }]), "WATCHDOG=1");
    equal(formatNotifyMessage([{ kind: "stopping" }]), "STOPPING=1");
  });
  await t.step("rejects a status with a line break", () => {
    throws(
      () => formatNotifyMessage([{ kind: "status", text: "a\nREADY=1" }]),
      TypeError,
    );
  });
});

Deno.test("watchdogTimeoutMs() reads WATCHDOG_USEC for this pid", async (t) => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  await t.step("converts microseconds to ms", () => {
    equal(watchdogTimeoutMs(env({ WATCHDOG_USEC: "30000000" }), 7), 30000);
  });
  await t.step("undefined when unset or for another pid", () => {
    equal(watchdogTimeoutMs(env({}), 7), undefined);
    equal(
      watchdogTimeoutMs(env({ WATCHDOG_USEC: "1000", WATCHDOG_PID: "8" }), 7),
      undefined,
    );
    equal(
      watchdogTimeoutMs(env({ WATCHDOG_USEC: "1000", WATCHDOG_PID: "7" }), 7),
      1,
    );
  });
  await t.step("rejects garbage", () => {
    throws(
      () => watchdogTimeoutMs(env({ WATCHDOG_USEC: "1e6" }), 7),
      RangeError,
    );
    throws(() => watchdogTimeoutMs(env({ WATCHDOG_USEC: "0" }), 7), RangeError);
  });
});
