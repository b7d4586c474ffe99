/**
 * The standard `process_*` metrics (CPU seconds, resident memory, heap, start time), read
 * at scrape time. prom-client's own default collectors assume Node and report zeros or
 * NaN under Deno's permissions, so these few are read directly (open file descriptors
 * are left out: Deno reads `/proc/self/fd` only with --allow-all).
 *
 * @module
 */
import client from "prom-client";
import process from "node:process";

/** Registers the process collectors on `registry`. */
export function processCollectors(registry: client.Registry): void {
  const startS = Math.round(Date.now() / 1000 - performance.now() / 1000);
  let lastCpu = 0;
  new client.Counter({
    name: "process_cpu_seconds_total",
    help: "Total user and system CPU time spent in seconds.",
    registers: [registry],
    collect() {
      const u = process.cpuUsage();
      const total = (u.user + u.system) / 1e6;
      if (total > lastCpu) this.inc(total - lastCpu);
      lastCpu = Math.max(lastCpu, total);
    },
  });
  new client.Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes.",
    registers: [registry],
    collect() {
      this.set(Deno.memoryUsage().rss);
    },
  });
  new client.Gauge({
    name: "process_heap_bytes",
    help: "JavaScript heap in use, bytes.",
    registers: [registry],
    collect() {
      this.set(Deno.memoryUsage().heapUsed);
    },
  });
  new client.Gauge({
    name: "process_start_time_seconds",
    help: "Start time of the process since unix epoch in seconds.",
    registers: [registry],
    collect() {
      this.set(startS);
    },
  });
}
