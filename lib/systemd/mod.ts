/**
 * The systemd notify protocol (sd_notify) for `Type=notify` services: report READY once the
 * caches are seeded, ping the watchdog only while the bot is healthy
 * ({@linkcode WatchdogGate}), publish a STATUS line, and report STOPPING on shutdown.
 *
 * The real transport is a unix datagram socket and needs `--unstable-net` (see
 * {@linkcode openDatagramTransport}); outside systemd (`NOTIFY_SOCKET` unset) the notifier is a
 * no-op.
 *
 * @example Wiring in the live bot
 * ```ts ignore
 * const notifier = await SystemdNotifier.fromEnv((name) => Deno.env.get(name));
 * await seedCaches();
 * await notifier.ready("trading BTCUSDT,ETHUSDT");
 * const gate = new WatchdogGate({ notifier, isHealthy: () => streamsFresh() });
 * gate.start();
 * // on SIGTERM:
 * gate.stop();
 * await notifier.stopping();
 * await notifier.close();
 * ```
 *
 * @module
 */
export {
  type DatagramTransportOptions,
  openDatagramTransport,
} from "./datagram_transport.ts";
export {
  formatNotifyMessage,
  type NotifyState,
  watchdogTimeoutMs,
} from "./notify_message.ts";
export {
  type FromEnvOptions,
  type NotifyTransport,
  SystemdNotifier,
} from "./systemd_notifier.ts";
export {
  type IntervalTimers,
  WatchdogGate,
  type WatchdogGateOptions,
  type WatchdogTarget,
} from "./watchdog_gate.ts";
