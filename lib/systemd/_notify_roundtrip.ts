// Test helper (run by datagram_transport_test.ts with --unstable-net): a receiver socket
// plays systemd; the notifier and gate send to it. Prints the received datagrams as JSON.
import { SystemdNotifier } from "./systemd_notifier.ts";
import { WatchdogGate } from "./watchdog_gate.ts";

// Args: the directory playing /run/systemd, the one playing RUNTIME_DIRECTORY.
const [dir, runtimeDir] = Deno.args as [string, string];
const socketPath = `${dir}/notify.sock`;
const receiver = Deno.listenDatagram({
  transport: "unixpacket",
  path: socketPath,
});
const env: Record<string, string> = {
  NOTIFY_SOCKET: socketPath,
  WATCHDOG_USEC: "60000",
  WATCHDOG_PID: String(Deno.pid),
  RUNTIME_DIRECTORY: runtimeDir,
};
const notifier = await SystemdNotifier.fromEnv((name) => env[name]);
let healthy = true;
const gate = new WatchdogGate({ notifier, isHealthy: () => healthy });
const received: string[] = [];
const decoder = new TextDecoder();
const sender: string[] = [];
async function expect(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const [data, addr] = await receiver.receive();
    received.push(decoder.decode(data));
    if (addr.transport === "unixpacket") sender.push(addr.path);
  }
}
await notifier.ready("seeded");
await expect(1);
await gate.tick();
await gate.tick();
await expect(2);
healthy = false;
await gate.tick();
await gate.tick();
healthy = true;
await gate.tick();
await expect(1);
// The timer: 30 ms interval (half of WATCHDOG_USEC), two pings.
gate.start();
await expect(2);
gate.stop();
await notifier.status("draining");
await notifier.stopping();
await expect(2);
await notifier.close();
receiver.close();
Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify({
  received,
  intervalMs: notifier.watchdogIntervalMs(),
  pings: gate.pings,
  skipped: gate.skipped,
  senderIsUnixPath: sender.every((p) => p.startsWith("/")),
})));
