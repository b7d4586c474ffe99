/**
 * The report of a bot-model run (`deno task backtest --model bot`): one self-contained
 * HTML page with the run summary, each symbol's ranking in USDT, every top config's trades
 * (entry and exit, reason, fees, funding, PnL) with their totals, and the parity summary
 * when a `parity.json` (from `deno task parity`) is given or lies in the run's directory.
 * Tables only, no script. Reading is the edge; rendering is pure.
 *
 * @module
 */
import { join } from "node:path";
import { ReportInputError } from "./load_outputs.ts";
import { loadOos, type OosData } from "./oos.ts";
import { renderBotOos, type WinnerPnl } from "./bot_oos.ts";

/** What the page shows, read from the run's files. */
export interface BotReportData {
  /** The run's manifest. */
  readonly manifest: Record<string, unknown>;
  /** `ranked.csv`: header and rows. */
  readonly ranked: { header: string[]; rows: string[][] };
  /** Each top config's trades file: its manifest entry and rows. */
  readonly tops: {
    entry: Record<string, unknown>;
    header: string[];
    rows: string[][];
  }[];
  /** The parity summary, if any. */
  readonly parity?: Record<string, unknown> | undefined;
  /** DSR hurdles, PBO and walk-forward, when the run wrote them. */
  readonly oos?: OosData | undefined;
}

/** Whether a directory holds a bot-model run (its manifest's kind). */
export async function isBotRun(inDir: string): Promise<boolean> {
  try {
    const m = JSON.parse(await Deno.readTextFile(join(inDir, "manifest.json")));
    return m?.kind === "aster-bot-backtest";
  } catch {
    return false;
  }
}

function csv(text: string): { header: string[]; rows: string[][] } {
  const lines = text.split("\n").filter((l) => l !== "");
  return {
    header: (lines[0] ?? "").split(","),
    rows: lines.slice(1).map((l) => l.split(",")),
  };
}

/**
 * Reads a bot-model run.
 *
 * @param parityPath a `parity.json`; default `<inDir>/parity.json` when it exists
 * @throws {ReportInputError} for a missing or unreadable file
 */
export async function loadBotReport(
  inDir: string,
  parityPath?: string,
): Promise<BotReportData> {
  const read = async (name: string) => {
    try {
      return await Deno.readTextFile(join(inDir, name));
    } catch (error) {
      throw new ReportInputError(
        `Cannot read ${join(inDir, name)}: ${(error as Error).message}`,
      );
    }
  };
  const manifest = JSON.parse(await read("manifest.json"));
  const ranked = csv(await read("ranked.csv"));
  const files = (manifest.files?.top ?? []) as Record<string, unknown>[];
  const tops = [];
  for (const entry of files) {
    tops.push({ entry, ...csv(await read(String(entry["trades"]))) });
  }
  let parity: Record<string, unknown> | undefined;
  const p = parityPath ?? join(inDir, "parity.json");
  try {
    parity = JSON.parse(await Deno.readTextFile(p));
  } catch (error) {
    if (parityPath !== undefined) {
      throw new ReportInputError(
        `Cannot read the parity file ${parityPath}: ${
          (error as Error).message
        }`,
      );
    }
  }
  let oos: OosData | undefined;
  try {
    oos = await loadOos(inDir, manifest);
  } catch (error) {
    throw new ReportInputError(
      `Cannot read the out-of-sample outputs in ${inDir}: ${
        (error as Error).message
      }`,
    );
  }
  return { manifest, ranked, tops, parity, oos };
}

const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"]/g,
    (c) =>
      c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;",
  );

function table(
  header: readonly string[],
  rows: readonly (readonly unknown[])[],
): string {
  return `<table><thead><tr>${
    header.map((h) => `<th>${esc(h)}</th>`).join("")
  }</tr></thead><tbody>${
    rows.map((r) =>
      `<tr>${r.map((x) => `<td>${esc(fmt(x))}</td>`).join("")}</tr>`
    ).join("")
  }</tbody></table>`;
}

function fmt(x: unknown): string {
  if (typeof x === "number") {
    return Number.isInteger(x) ? String(x) : x.toFixed(4);
  }
  const s = String(x);
  const n = Number(s);
  return s !== "" && Number.isFinite(n) && !Number.isInteger(n) &&
      /^-?\d+\.\d{5,}/.test(s)
    ? n.toFixed(4)
    : s;
}

/** The rank-1 configs' realised PnL per symbol, from their trade files. */
function winnerPnl(d: BotReportData): Map<string, WinnerPnl> {
  const out = new Map<string, WinnerPnl>();
  for (const t of d.tops) {
    if (Number(t.entry["rank"]) !== 1) continue;
    const at = t.header.indexOf("exit_time"), p = t.header.indexOf("pnl");
    let cum = 0;
    const ts: number[] = [], pnl: number[] = [];
    for (const r of t.rows) {
      ts.push(Date.parse(r[at] ?? ""));
      pnl.push(cum += Number(r[p]) || 0);
    }
    out.set(String(t.entry["symbol"]), { t: ts, pnl });
  }
  return out;
}

/** Renders the page (pure). */
export function renderBotReport(d: BotReportData, title: string): string {
  const m = d.manifest;
  const parts: string[] = [];
  parts.push(`<h1>${esc(title)}</h1>`);
  parts.push(
    `<p>Bot model (the live bot's rules), PnL in USDT on a fixed notional. Table <code>${
      esc(m["features"])
    }</code>; ${esc(m["grid_size"])} configs; costs ${
      esc(JSON.stringify(m["costs"]))
    }; ${esc(m["open_at_end"])}.</p>`,
  );
  const syms = (m["symbols"] ?? []) as Record<string, unknown>[];
  parts.push(
    table(
      [
        "symbol",
        "bars",
        "first",
        "last",
        "touch",
        "tick",
        "step",
        "min notional",
      ],
      syms.map((s) => [
        s["symbol"],
        s["bars"],
        s["first_time"],
        s["last_time"],
        s["touch"],
        s["tick_size"],
        s["step_size"],
        s["min_notional"],
      ]),
    ),
  );
  if (d.parity !== undefined) {
    const p = d.parity;
    const keys = [
      "entries_paper",
      "entries_backtest",
      "entries_matched",
      "exits_matched",
      "pnl_paper",
      "pnl_backtest",
      "pnl_within_1bp",
      "funding_backtest",
    ];
    parts.push(`<h2>Parity (paper bot vs bot-model backtest)</h2>`);
    parts.push(table(keys, [keys.map((k) => p[k] ?? "")]));
    const div = (p["divergences"] ?? []) as Record<string, unknown>[];
    if (div.length > 0) {
      parts.push(
        table(
          ["kind", "symbol", "side", "signal bar", "journal"],
          div.map((
            x,
          ) => [
            x["kind"],
            x["symbol"],
            x["side"],
            x["entryBar"],
            JSON.stringify(x["journal"] ?? ""),
          ]),
        ),
      );
    }
  }
  if (d.oos !== undefined) {
    parts.push(renderBotOos(d.oos, d.ranked, winnerPnl(d)));
  }
  const limit = 20;
  for (const s of syms) {
    const sym = String(s["symbol"]);
    const rows = d.ranked.rows.filter((r) => r[0] === sym).slice(0, limit);
    parts.push(`<h2>${esc(sym)}: ranking (first ${rows.length})</h2>`);
    parts.push(table(d.ranked.header, rows));
  }
  for (const t of d.tops) {
    const e = t.entry;
    const col = (name: string) => t.header.indexOf(name);
    const total = (name: string) =>
      t.rows.reduce((a, r) => a + (Number(r[col(name)]) || 0), 0);
    const reasons = new Map<string, number>();
    for (const r of t.rows) {
      const k = r[col("exit_reason")] ?? "";
      reasons.set(k, (reasons.get(k) ?? 0) + 1);
    }
    parts.push(
      `<h2>${esc(e["symbol"])} rank ${esc(e["rank"])} (config ${
        esc(e["config_id"])
      }): ${t.rows.length} trades, net ${total("pnl").toFixed(4)} USDT, fees ${
        total("fees").toFixed(4)
      }, funding ${total("funding").toFixed(4)}; exits ${
        esc([...reasons].map(([k, v]) => `${k} ${v}`).join(", "))
      }; live config <code>${esc(e["live"])}</code></h2>`,
    );
    parts.push(table(t.header, t.rows));
  }
  return `<!doctype html><html><head><meta charset="utf-8"><title>${
    esc(title)
  }</title><style>
body{font:13px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f3f3f3}
</style></head><body>${parts.join("\n")}</body></html>\n`;
}

/**
 * Writes the report of the bot-model run in `inDir` (atomically).
 *
 * @returns the file and its size
 */
export async function writeBotReport(
  inDir: string,
  options: { out?: string; title?: string; parity?: string } = {},
): Promise<{ path: string; bytes: number; curves: number }> {
  const data = await loadBotReport(inDir, options.parity);
  const html = renderBotReport(
    data,
    options.title ?? "Bot-model backtest report",
  );
  const out = options.out ?? join(inDir, "report.html");
  const bytes = new TextEncoder().encode(html);
  await Deno.writeFile(`${out}.partial`, bytes);
  await Deno.rename(`${out}.partial`, out);
  return { path: out, bytes: bytes.length, curves: 0 };
}
