import { deepEqual, equal, rejects } from "node:assert/strict";
import { type NotifyTransport, SystemdNotifier } from "./systemd_notifier.ts";
import { WatchdogGate } from "./watchdog_gate.ts";

function fakeTransport(): NotifyTransport & {
  sent: string[];
  closed: boolean;
} {
  const decoder = new TextDecoder();
  const t = {
    sent: [] as string[],
    closed: false,
    send(payload: Uint8Array): Promise<void> {
      t.sent.push(decoder.decode(payload));
      return Promise.resolve();
    },
    close(): Promise<void> {
      t.closed = true;
      return Promise.resolve();
    },
  };
  return t;
}

Deno.test("SystemdNotifier.fromEnv() follows NOTIFY_SOCKET and WATCHDOG_USEC", async (t) => {
  await t.step(
    "disabled without NOTIFY_SOCKET: no transport opened",
    async () => {
      let opened = 0;
      const n = await SystemdNotifier.fromEnv(() => undefined, {
        openTransport: () => {
          opened++;
          return Promise.resolve(fakeTransport());
        },
      });
      equal(n.enabled, false);
      equal(n.watchdogIntervalMs(), undefined);
      await n.ready();
      await n.watchdog();
      equal(opened, 0);
    },
  );
  await t.step(
    "sends READY, WATCHDOG, STATUS and STOPPING to the socket",
    async () => {
      const transport = fakeTransport();
      let path = "";
      const vars: Record<string, string> = {
        NOTIFY_SOCKET: "/run/systemd/notify",
        WATCHDOG_USEC: "20000000",
      };
      const n = await SystemdNotifier.fromEnv((k) => vars[k], {
        pid: 42,
        openTransport: (p) => {
          path = p;
          return Promise.resolve(transport);
        },
      });
      equal(path, "/run/systemd/notify");
      equal(n.watchdogIntervalMs(), 10000);
      await n.ready("seeded");
      await n.watchdog();
      await n.status("2 symbols");
      await n.stopping();
      await n.close();
      await n.watchdog();
      deepEqual(transport.sent, [
        "READY=1\nSTATUS=seeded",
        "WATCHDOG=1",
        "STATUS=2 symbols",
        "STOPPING=1",
      ]);
      equal(transport.closed, true);
    },
  );
  await t.step("a failed send is logged, not thrown", async () => {
    const n = new SystemdNotifier({
      send: () => Promise.reject(new Error("ECONNREFUSED")),
      close: () => Promise.resolve(),
    });
    await n.watchdog();
  });
  await t.step("an unusable socket fails fast", async () => {
    await rejects(
      SystemdNotifier.fromEnv(
        (k) => (k === "NOTIFY_SOCKET" ? "@abstract" : undefined),
      ),
      TypeError,
    );
  });
});

Deno.test("WatchdogGate pings only while healthy", async (t) => {
  const transport = fakeTransport();
  const notifier = new SystemdNotifier(transport, 2000);
  let healthy = true;
  const scheduled: { fn: () => void; ms: number }[] = [];
  let cleared = 0;
  const gate = new WatchdogGate({
    notifier,
    isHealthy: () => healthy,
    timers: {
      setInterval: (fn, ms) => scheduled.push({ fn, ms }),
      clearInterval: () => cleared++,
    },
  });
  await t.step("schedules at half the watchdog timeout", () => {
    equal(gate.start(), true);
    equal(scheduled.length, 1);
    equal(scheduled[0]!.ms, 1000);
  });
  await t.step("healthy ticks ping, unhealthy ticks do not", async () => {
    equal(await gate.tick(), true);
    healthy = false;
    equal(await gate.tick(), false);
    equal(await gate.tick(), false);
    healthy = true;
    equal(await gate.tick(), true);
    deepEqual(transport.sent, ["WATCHDOG=1", "WATCHDOG=1"]);
    equal(gate.pings, 2);
    equal(gate.skipped, 2);
  });
  await t.step("a throwing health check counts as unhealthy", async () => {
    const g = new WatchdogGate({
      notifier,
      isHealthy: () => {
        throw new Error("boom");
      },
    });
    equal(await g.tick(), false);
  });
  await t.step("stop clears the timer; no watchdog means no timer", () => {
    gate.stop();
    equal(cleared, 1);
    const off = new WatchdogGate({
      notifier: new SystemdNotifier(fakeTransport()),
      isHealthy: () => true,
    });
    equal(off.start(), false);
  });
});
