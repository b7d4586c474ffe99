/**
 * Sharded grid runs: `runShard` simulates shard i of n and writes a shard directory;
 * `mergeShards` checks a set of shard directories, puts their rows together and writes the
 * outputs through the single run's own ranking and output code, so the result is the single
 * run's, byte for byte, except the timings.
 *
 * A shard directory holds `rows.f64` (the shard's result rows: per task in plan order, per
 * config, the metrics, return moments and per-block statistics, little-endian doubles) and
 * `shard.json` (which shard, the run's identity, the counts). `shard.json` is written last
 * (atomically), so a shard that did not finish has none and a merge reports it as missing.
 *
 * @module
 */
import { N_MOMENTS } from "../research/return_stats.ts";
import { parseWalkForward } from "../research/mod.ts";
import { GRID_PARAMS, type GridParam, type GridSpec } from "./grid.ts";
import { type GridResult, runGrid } from "./grid_runner.ts";
import { type MetricName, METRICS, N_METRICS } from "./metrics.ts";
import {
  BacktestInputError,
  type BacktestOptions,
  type BacktestSummary,
  finishRun,
  manifestGridLists,
  type PreparedRun,
  prepareRun,
  startPool,
} from "./run_backtest.ts";
import {
  type ShardSpec,
  shardTasks,
  tableFingerprint,
  taskRows,
} from "./shard.ts";
import { type GridTask, taskRowWidth } from "./task.ts";
import { sliceTable } from "./walk_forward.ts";

/** `kind` of a shard.json. */
export const SHARD_KIND = "aster-grid-backtest-shard";
/** Version of the shard directory format (a merge refuses other versions). */
export const SHARD_FORMAT = 1;
const ENGINE = "vectorbt 0.26 Portfolio.from_signals compatible, freq 1min";

/** The ranking part of a run's identity, the same for both models (see `rankingIdentity`). */
export interface RankingIdentity {
  readonly "rank_by": string;
  readonly "rank_rule": string;
  readonly "min_trades": number;
  readonly "prior_trials": number;
  readonly pbo: number | string;
  readonly blocks: number;
  readonly top: number;
  readonly "walk_forward": string | null;
}

/** What identifies a run: shards merge only when all of it is equal. */
interface RunIdentity extends RankingIdentity {
  readonly format: number;
  readonly engine: string;
  readonly metrics: readonly string[];
  readonly features: string;
  readonly fingerprint: string;
  readonly symbols: readonly { symbol: string; bars: number }[];
  readonly grid: Record<string, unknown>;
  readonly blockers: boolean;
}

/** What a shard run did. */
export interface ShardSummary {
  /** The shard. */
  readonly shard: ShardSpec;
  /** The directory written. */
  readonly dir: string;
  /** Tasks and result rows of this shard. */
  readonly tasks: number;
  /** Result rows (symbol, config pairs) of this shard. */
  readonly rows: number;
  /** Bar-configs simulated by this shard. */
  readonly barConfigs: number;
  /** Seconds reading and simulating. */
  readonly seconds: { readonly read: number; readonly simulate: number };
}

function identityOf(options: BacktestOptions, prep: PreparedRun): RunIdentity {
  return {
    format: SHARD_FORMAT,
    engine: ENGINE,
    metrics: METRICS,
    features: options.features,
    fingerprint: tableFingerprint(prep.table),
    symbols: prep.table.symbols.map((s) => ({
      symbol: s.symbol,
      bars: s.bars,
    })),
    grid: manifestGridLists(prep.spec),
    blockers: prep.blockers,
    ...rankingIdentity(options, prep, "sharpe"),
  };
}

/**
 * The ranking part of a run's identity, the same for both models (`defaultRankBy`: the model's
 * default `--rank_by`): shards merge only when it is equal.
 */
export function rankingIdentity(
  options: {
    readonly rankBy?: string;
    readonly minTrades?: number;
    readonly priorTrials?: number;
    readonly top?: number;
    readonly walkForward?: { readonly text: string };
  },
  prep: {
    readonly rankRule: string;
    readonly pboOpt: number | "auto" | "off";
    readonly blocks?: { readonly count: number };
  },
  defaultRankBy: string,
): RankingIdentity {
  return {
    "rank_by": options.rankBy ?? defaultRankBy,
    "rank_rule": prep.rankRule,
    "min_trades": options.minTrades ?? 1,
    "prior_trials": options.priorTrials ?? 0,
    pbo: prep.pboOpt,
    blocks: prep.blocks?.count ?? 0,
    top: options.top ?? 5,
    "walk_forward": options.walkForward?.text ?? null,
  };
}

/** Writes `data` to `path` through a `.partial` file renamed into place. */
export async function writeAtomic(
  path: string,
  data: Uint8Array,
): Promise<void> {
  const tmp = `${path}.partial`;
  await Deno.writeFile(tmp, data);
  await Deno.rename(tmp, path);
}

/**
 * Where a shard's result rows come from and go: per (symbol s, config c) a metric row, the
 * `N_MOMENTS` return moments at `(s * configs + c) * N_MOMENTS` and `3 * blocks` per-block
 * statistics at `(s * configs + c) * blocks * 3` (both models lay them out so).
 */
export interface ShardRows {
  /** Number of configs. */
  readonly configs: number;
  /** Values per metric row. */
  readonly nMetrics: number;
  /** PBO blocks (0 without). */
  readonly blocks: number;
  /** The metric row of (s, c): a view to read from or write into. */
  readonly metricRow: (s: number, c: number) => Float64Array;
  /** Return moments. */
  readonly moments: Float64Array;
  /** Per-block statistics. */
  readonly blockStats: Float64Array;
}

/**
 * The line a shard run prints when done: rows, bar-configs, seconds, the directory and how
 * to merge; `model` (e.g. `bot model`) is named after the shard when given.
 */
export function shardDoneLine(done: ShardSummary, model?: string): string {
  const { index, count } = done.shard;
  return `shard ${index}/${count}${
    model !== undefined ? ` (${model})` : ""
  }: ${done.rows} (symbol, config) rows, ${
    done.barConfigs.toExponential(2)
  } bar-configs in ${done.seconds.simulate.toFixed(2)} s (read ${
    done.seconds.read.toFixed(2)
  } s) -> ${done.dir}/ (merge the ${count} shard directories with deno task merge)`;
}

/** A shard's unit of work, as far as its rows go. */
type RowTask = { readonly symbol: number; readonly configs: Int32Array };

/** Values per (symbol, config) in `rows.f64`. */
function rowWidth(rows: ShardRows): number {
  return rows.nMetrics + N_MOMENTS + 3 * rows.blocks;
}

/**
 * The rows of `tasks` as `rows.f64` holds them: per task in order, per config, its metric
 * row, return moments and per-block statistics.
 */
export function packRows(
  rows: ShardRows,
  tasks: readonly RowTask[],
): Float64Array {
  const w = rowWidth(rows), nm = rows.nMetrics, nb = rows.blocks;
  const data = new Float64Array(taskRows(tasks) * w);
  let at = 0;
  for (const t of tasks) {
    for (const c of t.configs) {
      const r = t.symbol * rows.configs + c;
      data.set(rows.metricRow(t.symbol, c), at);
      data.set(
        rows.moments.subarray(r * N_MOMENTS, (r + 1) * N_MOMENTS),
        at + nm,
      );
      data.set(
        rows.blockStats.subarray(r * nb * 3, (r + 1) * nb * 3),
        at + nm + N_MOMENTS,
      );
      at += w;
    }
  }
  return data;
}

/**
 * Reads every shard's `rows.f64`, checked against the tasks this run gives that shard
 * (a count or width that differs: another version; a missing or truncated file: which shard
 * to re-run), then places the rows; returns the shards' simulation seconds, summed. Nothing
 * is placed unless every shard reads.
 */
export async function loadShardRows(
  docs: readonly ShardDoc[],
  tasksOf: (shard: ShardSpec) => readonly RowTask[],
  rows: ShardRows,
): Promise<number> {
  const w = rowWidth(rows), nm = rows.nMetrics, nb = rows.blocks;
  let simulate = 0;
  const loaded: { tasks: readonly RowTask[]; data: Float64Array }[] = [];
  for (const d of docs) {
    const tasks = tasksOf({ index: d.index, count: d.count });
    const n = taskRows(tasks);
    if (n !== d.rows || d.width !== w) {
      throw new BacktestInputError(
        `Cannot merge: ${d.dir} has ${d.rows} rows of ${d.width} values, this run's shard ${d.index}/${d.count} has ${n} of ${w} (different versions)`,
      );
    }
    loaded.push({ tasks, data: await readRowsFile(d, "rows.f64", n * w) });
    simulate += d.simulate;
  }
  for (const { tasks, data } of loaded) {
    let at = 0;
    for (const t of tasks) {
      for (const c of t.configs) {
        const r = t.symbol * rows.configs + c;
        rows.metricRow(t.symbol, c).set(data.subarray(at, at + nm));
        rows.moments.set(
          data.subarray(at + nm, at + nm + N_MOMENTS),
          r * N_MOMENTS,
        );
        rows.blockStats.set(
          data.subarray(at + nm + N_MOMENTS, at + w),
          r * nb * 3,
        );
        at += w;
      }
    }
  }
  return simulate;
}

/**
 * Writes a shard directory: an old `shard.json` is removed first (a re-run shard is never
 * half old, half new), then each rows file atomically, then `shard.json` atomically, last.
 */
export async function writeShardDir(
  out: string,
  files: readonly { readonly name: string; readonly data: Float64Array }[],
  doc: Record<string, unknown>,
): Promise<void> {
  await Deno.mkdir(out, { recursive: true });
  await Deno.remove(`${out}/shard.json`).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  for (const f of files) {
    await writeAtomic(
      `${out}/${f.name}`,
      new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength),
    );
  }
  await writeAtomic(
    `${out}/shard.json`,
    new TextEncoder().encode(JSON.stringify(doc, null, 2)),
  );
}

/** The rows of a vectorbt grid result. */
function gridRows(res: GridResult): ShardRows {
  return {
    configs: res.configs,
    nMetrics: N_METRICS,
    blocks: res.blocks,
    metricRow: (s, c) => {
      const r = s * res.configs + c;
      return res.metrics.subarray(r * N_METRICS, (r + 1) * N_METRICS);
    },
    moments: res.moments,
    blockStats: res.blockStats,
  };
}

/**
 * Runs shard `shard` of the grid and writes its directory to `options.out` (an old
 * `shard.json` there is removed first, so a re-run shard is never half old, half new).
 */
export async function runShard(
  options: BacktestOptions,
  shard: ShardSpec,
): Promise<ShardSummary> {
  using pool = startPool(options);
  const prep = await prepareRun(options);
  const bars = prep.table.symbols.map((s) => s.bars);
  const tasks = shardTasks(prep.configs, bars, shard);
  const t0 = performance.now();
  const result = await runGrid(prep.table, prep.configs, {
    blockers: prep.blockers,
    shard,
    ...(prep.blockPlan !== undefined ? { blocks: prep.blockPlan } : {}),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(pool !== undefined ? { pool } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const simulate = (performance.now() - t0) / 1000;
  const width = taskRowWidth(result.blocks);
  const rows = taskRows(tasks);
  const data = packRows(gridRows(result), tasks);
  // Walk-forward: this shard's part of every window's in-sample grid (metric rows only).
  const wfParts: Float64Array[] = [];
  let wfRows = 0;
  for (const w of prep.windows ?? []) {
    const isTable = sliceTable(prep.table, w.isStart, w.isEnd);
    const res = await runGrid(isTable, prep.configs, {
      blockers: prep.blockers,
      shard,
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(pool !== undefined ? { pool } : {}),
    });
    const part = windowRows(
      res,
      shardTasks(prep.configs, isTable.symbols.map((f) => f.bars), shard),
    );
    wfParts.push(part);
    wfRows += part.length / N_METRICS;
  }
  const files = [{ name: "rows.f64", data }];
  if (prep.windows !== undefined) {
    const wf = new Float64Array(wfRows * N_METRICS);
    let o = 0;
    for (const part of wfParts) {
      wf.set(part, o);
      o += part.length;
    }
    files.push({ name: "wf_rows.f64", data: wf });
  }
  const seconds = { read: prep.readSeconds, simulate };
  const doc = {
    kind: SHARD_KIND,
    shard: { index: shard.index, count: shard.count },
    run: identityOf(options, prep),
    tasks: tasks.length,
    rows,
    "row_width": width,
    "wf_rows": wfRows,
    "bar_configs": result.barConfigs,
    workers: options.workers ?? navigator.hardwareConcurrency,
    "runtime_s": seconds,
  };
  await writeShardDir(options.out, files, doc);
  return {
    shard,
    dir: options.out,
    tasks: tasks.length,
    rows,
    barConfigs: result.barConfigs,
    seconds,
  };
}

/** The metric rows of `tasks` in `res`, in task order (a window's part of a shard). */
function windowRows(res: GridResult, tasks: readonly GridTask[]): Float64Array {
  const out = new Float64Array(taskRows(tasks) * N_METRICS);
  let at = 0;
  for (const t of tasks) {
    for (const c of t.configs) {
      const r = t.symbol * res.configs + c;
      out.set(res.metrics.subarray(r * N_METRICS, (r + 1) * N_METRICS), at);
      at += N_METRICS;
    }
  }
  return out;
}

/** A shard directory's `shard.json`, read and checked for shape. */
export interface ShardDoc {
  /** The directory. */
  readonly dir: string;
  /** Shard i. */
  readonly index: number;
  /** Of n. */
  readonly count: number;
  /** What identifies the run (the bot model's has `model: "bot"` and its own fields). */
  readonly run: RunIdentity;
  /** Result rows in `rows.f64`. */
  readonly rows: number;
  /** Values per row. */
  readonly width: number;
  /** The shard run's `--workers`. */
  readonly workers: number;
  /** Its simulation seconds. */
  readonly simulate: number;
  /** Walk-forward rows in `wf_rows.f64`. */
  readonly wfRows: number;
}

const WHAT_DIFFERS: Record<string, string> = {
  model: "different models (--model vbt and --model bot)",
  format: "different versions (shard format)",
  engine: "different versions (engine)",
  metrics: "different versions (metric list)",
  features: "different feature tables (paths)",
  fingerprint: "different data (feature table contents)",
  symbols: "different data (symbols or bars)",
  grid: "different grids",
  blockers: "different --blockers",
  "rank_by": "different --rank_by",
  "rank_rule": "different --rank_rule",
  "min_trades": "different --min_trades",
  "prior_trials": "different --prior_trials",
  pbo: "different --pbo",
  blocks: "different PBO blocks",
  top: "different --top",
  "walk_forward": "different --walk_forward",
  costs: "different costs",
  seconds: "different --per_second",
  "per_second": "different per-second files (one shard had it, another not)",
  "spread_bps": "different --spread_bps",
  "exchange_info": "different --exchange_info",
  "entry_limits": "different entry limits",
};

async function readShardDoc(dir: string): Promise<ShardDoc> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/shard.json`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new BacktestInputError(
        `Cannot merge: ${dir} has no shard.json (not a shard directory, or its shard did not finish: re-run it)`,
      );
    }
    throw error;
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new BacktestInputError(
      `Cannot merge: ${dir}/shard.json is not valid JSON`,
    );
  }
  const shard = doc["shard"] as { index?: unknown; count?: unknown } | null;
  const run = doc["run"] as RunIdentity | undefined;
  if (
    doc["kind"] !== SHARD_KIND || typeof run !== "object" || run === null ||
    typeof shard !== "object" || shard === null ||
    !Number.isInteger(shard.index) || !Number.isInteger(shard.count) ||
    !Number.isInteger(doc["rows"]) || !Number.isInteger(doc["row_width"])
  ) {
    throw new BacktestInputError(
      `Cannot merge: ${dir}/shard.json is not a backtest shard description`,
    );
  }
  if (run.format !== SHARD_FORMAT) {
    throw new BacktestInputError(
      `Cannot merge: ${dir} has shard format ${
        String(run.format)
      }, this version reads format ${SHARD_FORMAT} (different versions)`,
    );
  }
  const secs = doc["runtime_s"] as { simulate?: unknown } | undefined;
  return {
    dir,
    index: shard.index as number,
    count: shard.count as number,
    run,
    rows: doc["rows"] as number,
    width: doc["row_width"] as number,
    workers: typeof doc["workers"] === "number" ? doc["workers"] : 0,
    simulate: typeof secs?.simulate === "number" ? secs.simulate : 0,
    wfRows: typeof doc["wf_rows"] === "number" ? doc["wf_rows"] : 0,
  };
}

/**
 * Reads the `shard.json` of every directory and checks that they are all the shards of one
 * run (see {@linkcode checkSet}); returns them by shard index.
 */
export async function readShardSet(
  dirs: readonly string[],
): Promise<ShardDoc[]> {
  if (dirs.length === 0) {
    throw new BacktestInputError("Cannot merge: no shard directories given");
  }
  return checkSet(await Promise.all(dirs.map((d) => readShardDoc(d))));
}

/**
 * Checks that `docs` are all the shards of one run: same shard count, same run identity,
 * each index once, none missing. Throws {@linkcode BacktestInputError} naming the cause.
 */
function checkSet(docs: readonly ShardDoc[]): ShardDoc[] {
  const first = docs[0]!;
  for (const d of docs) {
    if (d.count !== first.count) {
      throw new BacktestInputError(
        `Cannot merge: ${first.dir} is shard ${first.index}/${first.count} but ${d.dir} is shard ${d.index}/${d.count} (different shard counts)`,
      );
    }
    const ra = first.run as unknown as Record<string, unknown>;
    const rb = d.run as unknown as Record<string, unknown>;
    const keys = new Set([
      ...Object.keys(WHAT_DIFFERS),
      ...Object.keys(ra),
      ...Object.keys(rb),
    ]);
    for (const key of keys) {
      if (JSON.stringify(ra[key]) !== JSON.stringify(rb[key])) {
        throw new BacktestInputError(
          `Cannot merge: ${first.dir} and ${d.dir} are shards of different runs: ${
            WHAT_DIFFERS[key] ?? `different ${key}`
          }`,
        );
      }
    }
  }
  const byIndex = new Array<ShardDoc | undefined>(first.count);
  for (const d of docs) {
    const other = byIndex[d.index];
    if (other !== undefined) {
      throw new BacktestInputError(
        `Cannot merge: shard ${d.index}/${d.count} is given twice (${other.dir} and ${d.dir})`,
      );
    }
    if (d.index < 0 || d.index >= d.count) {
      throw new BacktestInputError(
        `Cannot merge: ${d.dir} claims shard ${d.index}/${d.count}`,
      );
    }
    byIndex[d.index] = d;
  }
  const missing: number[] = [];
  for (let i = 0; i < first.count; i++) {
    if (byIndex[i] === undefined) missing.push(i);
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 20).join(", ") +
      (missing.length > 20 ? `, ... (${missing.length} in all)` : "");
    throw new BacktestInputError(
      `Cannot merge: missing shard(s) ${shown} of ${first.count} (run them with --shard i/${first.count})`,
    );
  }
  return byIndex as ShardDoc[];
}

function gridOf(lists: Record<string, unknown>): Partial<GridSpec> {
  const out: Partial<Record<GridParam, number[]>> = {};
  for (const name of GRID_PARAMS) {
    const list = lists[name];
    if (!Array.isArray(list)) continue;
    out[name] = list.map((x) =>
      x === true ? 1 : x === false ? 0 : x === null ? NaN : Number(x)
    );
  }
  return out as Partial<GridSpec>;
}

/** Options of {@linkcode mergeShards}. */
export interface MergeOptions {
  /** The shard directories (any order). */
  readonly dirs: readonly string[];
  /** Output directory. */
  readonly out: string;
  /** The feature table, when its path differs from the one the shards recorded. */
  readonly features?: string;
  /** Receives one-line status messages. */
  readonly onStatus?: (line: string) => void;
}

/**
 * Reads a shard's rows file of `doubles` little-endian doubles; a missing or truncated file is
 * a one-line {@linkcode BacktestInputError} that says which shard to re-run.
 */
export async function readRowsFile(
  d: ShardDoc,
  name: string,
  doubles: number,
): Promise<Float64Array> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(`${d.dir}/${name}`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new BacktestInputError(
        `Cannot merge: ${d.dir}/${name} is missing (re-run shard ${d.index}/${d.count})`,
      );
    }
    throw error;
  }
  if (bytes.byteLength !== doubles * 8) {
    throw new BacktestInputError(
      `Cannot merge: ${d.dir}/${name} has ${bytes.byteLength} bytes, expected ${
        doubles * 8
      } (truncated: re-run shard ${d.index}/${d.count})`,
    );
  }
  return new Float64Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
}

/**
 * The walk-forward's in-sample grid results, put together from the shards' `wf_rows.f64`
 * (each shard holds its tasks of every window, window after window). Checked before use.
 */
async function walkForwardGrids(
  prep: PreparedRun,
  docs: readonly ShardDoc[],
): Promise<(k: number) => Promise<GridResult>> {
  const windows = prep.windows!;
  const count = prep.configs.count, nSym = prep.table.symbols.length;
  const bars = windows.map((w) =>
    sliceTable(prep.table, w.isStart, w.isEnd).symbols.map((f) => f.bars)
  );
  const grids = windows.map(() => new Float64Array(nSym * count * N_METRICS));
  for (const d of docs) {
    const shard = { index: d.index, count: d.count };
    const tasks = bars.map((b) => shardTasks(prep.configs, b, shard));
    let rows = 0;
    for (const ts of tasks) rows += taskRows(ts);
    if (d.wfRows !== rows) {
      throw new BacktestInputError(
        `Cannot merge: ${d.dir} has ${d.wfRows} walk-forward rows, this run's shard ${d.index}/${d.count} has ${rows} (different versions)`,
      );
    }
    const data = await readRowsFile(d, "wf_rows.f64", rows * N_METRICS);
    let at = 0;
    for (let k = 0; k < windows.length; k++) {
      for (const t of tasks[k]!) {
        for (const c of t.configs) {
          const r = t.symbol * count + c;
          grids[k]!.set(data.subarray(at, at + N_METRICS), r * N_METRICS);
          at += N_METRICS;
        }
      }
    }
  }
  return (k: number) =>
    Promise.resolve({
      symbols: nSym,
      configs: count,
      metrics: grids[k]!,
      barConfigs: bars[k]!.reduce((a, b) => a + b, 0) * count,
      moments: new Float64Array(0),
      blocks: 0,
      blockStats: new Float64Array(0),
    });
}

/** What a merge did: the run's summary and the options the shards ran with. */
export interface MergeResult {
  /** As a single run's. */
  readonly summary: BacktestSummary;
  /** The run's options, as recorded by the shards. */
  readonly run: BacktestOptions;
}

/**
 * Merges a complete set of shard directories into the single run's outputs. Everything is
 * checked before anything is written; throws {@linkcode BacktestInputError} on an incomplete
 * or mismatched set, naming the cause.
 */
export async function mergeShards(
  options: MergeOptions,
): Promise<MergeResult> {
  const docs = await readShardSet(options.dirs);
  const run = docs[0]!.run;
  if ((run as unknown as Record<string, unknown>)["model"] === "bot") {
    throw new BacktestInputError(
      `Cannot merge: ${
        docs[0]!.dir
      } is a shard of a --model bot run (merge it with mergeBotShards)`,
    );
  }
  const runOptions: BacktestOptions = {
    features: options.features ?? run.features,
    out: options.out,
    grid: gridOf(run.grid),
    blockers: run.blockers,
    rankBy: run["rank_by"] as MetricName,
    rankRule: run["rank_rule"] as "max" | "plateau",
    minTrades: run["min_trades"],
    priorTrials: run["prior_trials"],
    pbo: run.pbo as number | "auto" | "off",
    top: run.top,
    workers: docs[0]!.workers,
    symbols: run.symbols.map((s) => s.symbol),
    ...(run["walk_forward"] !== null && run["walk_forward"] !== undefined
      ? { walkForward: parseWalkForward(run["walk_forward"]) }
      : {}),
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
  };
  const prep = await prepareRun(runOptions);
  if (tableFingerprint(prep.table) !== run.fingerprint) {
    throw new BacktestInputError(
      `Cannot merge: ${runOptions.features} is not the data the shards ran on (its fingerprint differs)`,
    );
  }
  const nSym = prep.table.symbols.length, count = prep.configs.count;
  const nb = prep.blocks?.count ?? 0;
  const result: GridResult = {
    symbols: nSym,
    configs: count,
    metrics: new Float64Array(nSym * count * N_METRICS),
    barConfigs: 0,
    moments: new Float64Array(nSym * count * N_MOMENTS),
    blocks: nb,
    blockStats: new Float64Array(nSym * count * nb * 3),
  };
  const bars = prep.table.symbols.map((s) => s.bars);
  const simulate = await loadShardRows(
    docs,
    (shard) => shardTasks(prep.configs, bars, shard),
    gridRows(result),
  );
  // A complete set covers the whole grid once.
  const barConfigs = bars.reduce((x, b) => x + b, 0) * count;
  const isGrid = prep.windows === undefined
    ? undefined
    : await walkForwardGrids(prep, docs);
  const summary = await finishRun(
    runOptions,
    prep,
    { ...result, barConfigs },
    { read: prep.readSeconds, simulate },
    isGrid,
  );
  return { summary, run: runOptions };
}
