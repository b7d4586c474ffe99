/**
 * The bot-model report's "Out of sample" section (tables and inline SVG, no script): the
 * winner's Sharpe beside its PSR, DSR, the hurdle of N trials and what noise alone gives;
 * PBO by CSCV with its logit histogram and the IS-vs-OOS scatter of the chosen configs; the
 * walk-forward's stitched OOS curve against the full-sample winner's realised PnL over the
 * same span, and the window table. Pure rendering of what `loadOos` read.
 *
 * @module
 */
import type { OosData } from "./oos.ts";

type Json = Record<string, unknown>;

const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"]/g,
    (c) =>
      c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;",
  );

const num = (x: unknown, digits = 4) =>
  typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "n/a";

const obj = (x: unknown): Json =>
  x !== null && typeof x === "object" && !Array.isArray(x) ? x as Json : {};

function table(header: readonly string[], rows: readonly unknown[][]): string {
  return `<table><thead><tr>${
    header.map((h) => `<th>${esc(h)}</th>`).join("")
  }</tr></thead><tbody>${
    rows.map((r) => `<tr>${r.map((x) => `<td>${esc(x)}</td>`).join("")}</tr>`)
      .join("")
  }</tbody></table>`;
}

const W = 520, H = 180, PAD = 30;

function scale(lo: number, hi: number, a: number, b: number) {
  const span = hi > lo ? hi - lo : 1;
  return (x: number) => a + (x - lo) / span * (b - a);
}

function frame(body: string, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="${
    esc(label)
  }"><rect x="${PAD}" y="4" width="${W - PAD - 4}" height="${
    H - PAD - 4
  }" fill="none" stroke="#ccc"/>${body}</svg>`;
}

/** Polylines over a shared x/y range; each `[xs, ys, colour, name]`. */
export function svgLines(
  series: readonly [readonly number[], readonly number[], string, string][],
  label: string,
): string {
  const xs = series.flatMap((s) => s[0]), ys = series.flatMap((s) => s[1]);
  if (xs.length === 0) return "";
  const fx = scale(Math.min(...xs), Math.max(...xs), PAD, W - 4);
  const fy = scale(Math.min(...ys), Math.max(...ys), H - PAD, 4);
  const lines = series.map(([x, y, colour, name], k) =>
    `<polyline fill="none" stroke="${colour}" stroke-width="1.2" points="${
      x.map((v, i) => `${fx(v).toFixed(1)},${fy(y[i]!).toFixed(1)}`).join(" ")
    }"/><text x="${PAD + 6}" y="${
      16 + 12 * k
    }" font-size="10" fill="${colour}">${esc(name)}</text>`
  ).join("");
  return frame(
    lines +
      `<text x="2" y="${H - PAD}" font-size="9">${
        num(Math.min(...ys), 2)
      }</text><text x="2" y="12" font-size="9">${
        num(Math.max(...ys), 2)
      }</text>`,
    label,
  );
}

/** A histogram: `counts[i]` over `[edges[i], edges[i+1])`. */
export function svgBars(
  edges: readonly number[],
  counts: readonly number[],
  label: string,
): string {
  if (counts.length === 0) return "";
  const fx = scale(edges[0]!, edges[edges.length - 1]!, PAD, W - 4);
  const fy = scale(0, Math.max(...counts), H - PAD, 4);
  const zero = edges[0]! < 0 && edges[edges.length - 1]! > 0
    ? `<line x1="${fx(0)}" x2="${fx(0)}" y1="4" y2="${
      H - PAD
    }" stroke="#c00" stroke-dasharray="3"/>`
    : "";
  return frame(
    counts.map((c, i) =>
      `<rect x="${fx(edges[i]!).toFixed(1)}" y="${fy(c).toFixed(1)}" width="${
        Math.max(0.5, fx(edges[i + 1]!) - fx(edges[i]!) - 1).toFixed(1)
      }" height="${(H - PAD - fy(c)).toFixed(1)}" fill="#4a78b5"/>`
    ).join("") + zero +
      `<text x="${PAD}" y="${H - 8}" font-size="9">logit ${
        num(edges[0], 1)
      } .. ${
        num(edges[edges.length - 1], 1)
      } (logit &lt;= 0: the IS winner fell to or below the OOS median${
        zero ? ", left of the red line" : ""
      })</text>`,
    label,
  );
}

/** A scatter of (x, y) points. */
export function svgScatter(
  xs: readonly number[],
  ys: readonly number[],
  label: string,
): string {
  const pts = xs.map((x, i) => [x, ys[i]!] as const).filter(([x, y]) =>
    Number.isFinite(x) && Number.isFinite(y)
  );
  if (pts.length === 0) return "";
  const step = Math.max(1, Math.floor(pts.length / 2000));
  const shown = pts.filter((_, i) => i % step === 0);
  const fx = scale(
    Math.min(...shown.map((p) => p[0])),
    Math.max(...shown.map((p) => p[0])),
    PAD,
    W - 4,
  );
  const fy = scale(
    Math.min(...shown.map((p) => p[1])),
    Math.max(...shown.map((p) => p[1])),
    H - PAD,
    4,
  );
  return frame(
    shown.map(([x, y]) =>
      `<circle cx="${fx(x).toFixed(1)}" cy="${
        fy(y).toFixed(1)
      }" r="1.5" fill="#4a78b5" fill-opacity="0.5"/>`
    ).join("") +
      `<text x="${PAD}" y="${
        H - 8
      }" font-size="9">x: in-sample score of the split's chosen config; y: its out-of-sample score</text>`,
    label,
  );
}

/** The full-sample winner's realised PnL (USDT, cumulative at each exit) of one symbol. */
export interface WinnerPnl {
  /** Exit times, epoch ms. */
  readonly t: readonly number[];
  /** Cumulative net PnL after each exit. */
  readonly pnl: readonly number[];
}

/**
 * Renders the section. `ranked` is `ranked.csv` (the winner's row per symbol), `winners` the
 * rank-1 configs' realised PnL per symbol.
 */
export function renderBotOos(
  oos: OosData,
  ranked: { header: string[]; rows: string[][] },
  winners: ReadonlyMap<string, WinnerPnl>,
): string {
  const parts: string[] = ["<h2>Out of sample</h2>"];
  const col = (name: string) => ranked.header.indexOf(name);
  const rows: unknown[][] = [];
  for (const [scope, raw] of Object.entries(oos.deflation)) {
    const d = obj(raw);
    const best = ranked.rows.find((r) => r[0] === scope && r[1] === "1");
    rows.push([
      scope,
      best?.[col("config_id")] ?? "-",
      best ? num(Number(best[col("sharpe")]), 2) : "-",
      best ? num(Number(best[col("psr")])) : "-",
      best ? num(Number(best[col("dsr")])) : "-",
      num(d["hurdle_sharpe"], 2),
      `${d["trials"]} (${d["eligible"]} eligible + ${d["prior_trials"]} prior)`,
      num(d["noise_best_sharpe"], 2),
      num(d["noise_sharpe_std"], 2),
      best?.[col("flags")] || "-",
    ]);
  }
  parts.push(
    "<p>The winner's Sharpe (per-bar returns of its USDT PnL on the fixed notional, annualised) against the best Sharpe N noise configs reach by luck. DSR &gt; 0.95: significant at 5 %.</p>",
  );
  parts.push(table([
    "symbol",
    "winner",
    "Sharpe",
    "PSR",
    "DSR",
    "hurdle Sharpe",
    "N trials",
    "noise: best of N",
    "noise: one config ±",
    "flags",
  ], rows));
  if (oos.pbo !== undefined) {
    const p = oos.pbo;
    parts.push(
      `<h3>PBO by CSCV (${esc(p["blocks"])} blocks of ${
        esc(p["days_per_block"])
      } UTC day(s), rule ${esc(p["rule"])})</h3><p>Halves scored by ${
        esc(p["metric"])
      }.</p>`,
    );
    for (const [scope, raw] of Object.entries(obj(p["scopes"]))) {
      const s = obj(raw),
        deg = obj(s["degradation"]),
        h = obj(
          s["logit_histogram"],
        );
      parts.push(
        `<p><b>${esc(scope)}</b>: PBO ${num(s["pbo"])} over ${
          esc(s["splits"])
        } splits of ${
          esc(s["configs"])
        } configs (noise gives ~0.5); P(OOS loss) ${
          num(s["prob_loss"])
        }; degradation slope ${num(deg["slope"], 2)} (R² ${
          num(deg["r2"], 2)
        })</p>`,
      );
      parts.push(
        svgBars(
          (h["edges"] ?? []) as number[],
          (h["counts"] ?? []) as number[],
          `${scope} PBO logit histogram`,
        ) +
          svgScatter(
            (s["is_sharpe"] ?? s["is_score"] ?? []) as number[],
            (s["oos_sharpe"] ?? s["oos_score"] ?? []) as number[],
            `${scope} IS vs OOS ${"is_sharpe" in s ? "Sharpe" : "score"}`,
          ),
      );
    }
  }
  if (oos.walkForward !== undefined) {
    const w = oos.walkForward;
    parts.push(`<h3>Walk-forward ${esc(w["design"])}</h3>`);
    for (const [sym, raw] of Object.entries(obj(w["symbols"]))) {
      const s = obj(raw), st = obj(s["stitched"]);
      parts.push(
        `<p><b>${esc(sym)}</b>: stitched OOS Sharpe ${
          num(st["sharpe"], 2)
        } (PSR ${num(st["psr"])}), return on the notional ${
          num(st["total_return"])
        }, max drawdown ${num(st["max_drawdown"])}, ${
          esc(st["trades"])
        } trades; WFE ${num(s["wfe"], 2)}; ${
          num(Number(s["profitable_windows"]) * 100, 0)
        } % of OOS windows profitable; ${
          esc(s["distinct_configs"])
        } distinct configs chosen</p>`,
      );
      const curve = oos.stitched.get(sym);
      const win = winners.get(sym);
      if (curve !== undefined && curve.ts.length > 0) {
        const t0 = curve.ts[0]!, t1 = curve.ts[curve.ts.length - 1]!;
        const base = curve.value[0]!;
        const series: [number[], number[], string, string][] = [[
          Array.from(curve.ts),
          Array.from(curve.value),
          "#4a78b5",
          "stitched out-of-sample",
        ]];
        if (win !== undefined) {
          // the full-sample winner's realised PnL over the same span, from the same base
          const before = win.t.findLastIndex((t) => t < t0);
          const start = before >= 0 ? win.pnl[before]! : 0;
          const xs = [t0], ys = [base];
          win.t.forEach((t, i) => {
            if (t >= t0 && t <= t1) {
              xs.push(t);
              ys.push(base + win.pnl[i]! - start);
            }
          });
          xs.push(t1);
          ys.push(ys[ys.length - 1]!);
          series.push([xs, ys, "#999", "full-sample winner (in sample)"]);
        }
        parts.push(svgLines(series, `${sym} stitched walk-forward`));
      }
      const wins = (s["windows"] ?? []) as Json[];
      parts.push(table(
        [
          "window",
          "OOS from",
          "OOS to",
          "config",
          "IS metric",
          "IS Sharpe",
          "IS trades",
          "OOS Sharpe",
          "OOS return",
          "OOS trades",
        ],
        wins.map((x) => [
          x["window"],
          x["is_end"],
          x["oos_end"],
          x["config_id"] ?? "none",
          num(x["is_metric"]),
          num(x["is_sharpe"], 2),
          x["is_trades"],
          num(x["oos_sharpe"], 2),
          num(x["oos_total_return"]),
          x["oos_trades"],
        ]),
      ));
    }
  }
  return parts.join("\n");
}
