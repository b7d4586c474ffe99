// Test helper (run with --unstable-net by compile_test.ts): plays systemd's NOTIFY_SOCKET.
// Binds the unix datagram socket given as the first argument, prints "bound", then one JSON
// line per datagram; exits after STOPPING=1, or after the timeout (second argument, ms).
const path = Deno.args[0]!;
const timeoutMs = Number(Deno.args[1] ?? "20000");
const conn = Deno.listenDatagram({ transport: "unixpacket", path });
const timer = setTimeout(() => conn.close(), timeoutMs);
const enc = new TextEncoder();
Deno.stdout.writeSync(enc.encode("bound\n"));
const dec = new TextDecoder();
try {
  for (;;) {
    const [data] = await conn.receive();
    const text = dec.decode(data);
    Deno.stdout.writeSync(enc.encode(JSON.stringify(text) + "\n"));
    if (text.split("\n").includes("STOPPING=1")) break;
  }
  conn.close();
} catch {
  Deno.stdout.writeSync(enc.encode("timeout\n"));
}
clearTimeout(timer);
