/**
 * The one-screen summary of `deno task status`: from a running bot's `/health` and
 * `/metrics`, or, when the bot is down, from its state file and the tail of its decision
 * journal. Pure: parsing and formatting only; `live/status.ts` does the I/O.
 *
 * @module
 */
import type { HealthReport } from "./health.ts";

/** One sample of the exposition text. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses Prometheus text exposition (comments skipped; label values unescaped). */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c) => c === "n" ? "\n" : c);
    }
    const v = m[4]!;
    out.push({
      name: m[1]!,
      labels,
      value: v === "+Inf" ? Infinity : v === "-Inf" ? -Infinity : Number(v),
    });
  }
  return out;
}

/** The value of `name` with (at least) `labels`, or NaN. */
export function sampleValue(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  const s = samples.find((x) =>
    x.name === name &&
    Object.entries(labels).every(([k, v]) => x.labels[k] === v)
  );
  return s?.value ?? NaN;
}

const usd = (x: number) =>
  Number.isFinite(x) ? `${x >= 0 ? "+" : ""}${x.toFixed(2)}` : "n/a";
const num = (x: number, d = 2) => Number.isFinite(x) ? x.toFixed(d) : "n/a";
const sec = (x: number | null) => x === null ? "never" : `${x.toFixed(1)}`;

/** The screen of a running bot. */
export function formatOnline(
  url: string,
  h: HealthReport,
  samples: readonly Sample[],
): string {
  const v = (name: string, labels: Record<string, string> = {}) =>
    sampleValue(samples, name, labels);
  const lines: string[] = [];
  lines.push(
    `aster bot at ${url}: ${h.ready ? "READY" : "NOT READY"} (${
      h.trading ? "trading" : "not trading"
    }), bot time ${h.time}`,
  );
  if (!h.ready) lines.push(`  why: ${h.reasons.join("; ")}`);
  const streams = Object.entries(h.streams).map(([k, s]) =>
    `${k} ${
      s.connected ? "connected" : "DISCONNECTED"
    } (${s.reconnects} reconnects)`
  );
  // an older bot's /health has no `signing`
  const g = h.signing ?? null;
  lines.push(
    `streams: ${streams.join(", ") || "none"}${
      g === null
        ? ""
        : g.failingSeconds > 0
        ? `; signed requests FAILING with clock errors for ${
          g.failingSeconds.toFixed(1)
        } s (${g.clockErrors} clock errors; last: ${g.lastError ?? "?"})`
        : `; signed requests accepted (${g.clockErrors} clock errors)`
    }`,
  );
  const k = h.killSwitch;
  const ratio = v("aster_margin_ratio");
  const threshold = v("aster_kill_threshold");
  lines.push(
    `kill switch: ${
      k === null
        ? "n/a (not trading)"
        : k.tripped
        ? `TRIPPED (${k.reason ?? "?"}) since ${
          k.sinceMs ? new Date(k.sinceMs).toISOString() : "?"
        }, until ${
          k.untilMs === null || k.untilMs === undefined
            ? "an operator clears it"
            : new Date(k.untilMs).toISOString()
        }`
        : "off"
    }` +
      (Number.isFinite(threshold)
        ? `   margin ratio ${num(ratio)} (kill at ${num(threshold)})`
        : "") +
      (Number.isFinite(v("aster_rest_weight_limit"))
        ? `   REST weight ${v("aster_rest_weight_used")}/${
          v("aster_rest_weight_limit")
        }`
        : ""),
  );
  const d = h.pnl.utcDay;
  const s = h.pnl.sinceStart;
  lines.push(
    `PnL today (UTC): realized ${usd(d.realized)}, fees ${
      num(d.fees)
    }, funding ${usd(d.funding)}, net ${
      usd(d.realized - d.fees + d.funding)
    } USD; since start net ${usd(s.realized - s.fees + s.funding)}`,
  );
  lines.push("positions:");
  if (h.positions.length === 0) lines.push("  none");
  for (const p of h.positions) {
    const mark = v("aster_mark_price", { symbol: p.symbol });
    const upnl = v("aster_position_unrealized_pnl_usd", { symbol: p.symbol });
    lines.push(
      `  ${p.symbol.padEnd(10)} ${p.amount > 0 ? "LONG " : "SHORT"} ${
        Math.abs(p.amount)
      } @ ${p.entryPrice}  mark ${num(mark)}  uPnL ${usd(upnl)}  exits ${
        p.exits.join(",") || "NONE"
      }${
        p.unprotectedSeconds > 0
          ? `  NO STOP for ${p.unprotectedSeconds.toFixed(1)} s`
          : ""
      }`,
    );
  }
  lines.push(
    "input ages (s): " +
      Object.entries(h.inputAges).map(([sym, a]) =>
        `${sym} bar ${sec(a.bar)} book ${sec(a.book)} mark ${sec(a.mark)}`
      ).join("; "),
  );
  lines.push(
    `last decisions${
      h.lastDecisionAgeSeconds === null
        ? ""
        : ` (latest ${h.lastDecisionAgeSeconds.toFixed(0)} s ago)`
    }:`,
  );
  if (h.recentDecisions.length === 0) lines.push("  none yet");
  for (const r of h.recentDecisions.slice(-5)) {
    lines.push(
      `  ${r.time}  ${r.symbol.padEnd(10)} ${r.what}${
        r.detail ? `  ${r.detail}` : ""
      }`,
    );
  }
  lines.push("recent errors:");
  if (h.recentErrors.length === 0) lines.push("  none");
  for (const r of h.recentErrors.slice(-5)) {
    lines.push(`  ${r.time}  ${r.symbol.padEnd(10)} ${r.what}  ${r.detail}`);
  }
  return lines.join("\n") + "\n";
}

/** One decision from the journal's tail. */
export interface JournalTailRow {
  readonly timeMs: number;
  readonly symbol: string;
  readonly signal: string;
  readonly reason: string;
  readonly action: string;
  readonly detail: string;
}

/** Splits one CSV line (double-quoted cells with `""` escapes). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * The last `n` rows of a decision journal's text (the header names the columns; a
 * partial first line of a tail read is skipped).
 */
export function journalTail(
  header: string,
  text: string,
  n: number,
): JournalTailRow[] {
  const cols = header.trim().split(",");
  const idx = (c: string) => cols.indexOf(c);
  const at = {
    time: idx("time"),
    symbol: idx("symbol"),
    signal: idx("signal"),
    reason: idx("reason"),
    action: idx("action"),
    detail: idx("detail"),
  };
  const rows: JournalTailRow[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line === header.trim()) continue;
    const cells = splitCsvLine(line);
    if (cells.length !== cols.length) continue;
    const timeMs = Number(cells[at.time]);
    if (!Number.isFinite(timeMs)) continue;
    rows.push({
      timeMs,
      symbol: cells[at.symbol] ?? "",
      signal: cells[at.signal] ?? "",
      reason: cells[at.reason] ?? "",
      action: cells[at.action] ?? "",
      detail: cells[at.detail] ?? "",
    });
  }
  return rows.slice(-n);
}

/** What the offline screen shows. */
export interface OfflineInput {
  readonly url: string;
  /** Why the bot did not answer. */
  readonly why: string;
  readonly statePath: string;
  /** The kill switch line, or an error reading the state file. */
  readonly killSwitch: string;
  /** Cooldowns still running (symbol → end, epoch ms). */
  readonly cooldowns: Readonly<Record<string, number>>;
  readonly journalPath: string;
  /** The journal tail, or an error reading it. */
  readonly decisions: readonly JournalTailRow[] | string;
  readonly nowMs: number;
}

/** The screen of a bot that does not answer. */
export function formatOffline(o: OfflineInput): string {
  const lines: string[] = [];
  lines.push(`aster bot at ${o.url}: DOWN (${o.why})`);
  lines.push(`state file ${o.statePath}:`);
  lines.push(`  kill switch: ${o.killSwitch}`);
  const cds = Object.entries(o.cooldowns).filter(([, t]) => t > o.nowMs);
  lines.push(
    `  cooldowns: ${
      cds.map(([s, t]) => `${s} until ${new Date(t).toISOString()}`).join(
        ", ",
      ) || "none"
    }`,
  );
  lines.push(`last decisions in ${o.journalPath}:`);
  if (typeof o.decisions === "string") lines.push(`  ${o.decisions}`);
  else if (o.decisions.length === 0) lines.push("  none");
  else {
    for (const r of o.decisions) {
      lines.push(
        `  ${new Date(r.timeMs).toISOString()}  ${r.symbol.padEnd(10)} ${
          r.signal === "none" ? r.reason || "none" : r.signal
        }  ${r.action}${r.detail ? ` ${r.detail}` : ""}`,
      );
    }
  }
  lines.push(
    "positions and exits: unknown while the bot is down (they stay on the exchange; `deno task doctor` checks the account)",
  );
  return lines.join("\n") + "\n";
}
