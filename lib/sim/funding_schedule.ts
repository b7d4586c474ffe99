/**
 * A funding-rate file (`funding_time,funding_rate`, epoch ms and a fraction per interval,
 * as `../shared/data/real/binance_um/funding/` and `deno task download` write them) read
 * whole for a replay: the rate each settlement of the replay charges.
 *
 * The rule is `lib/features/funding_rule.ts`'s for a series of `settlements`, the one the
 * bot-model backtest charges too: the settlement at time `T` (00, 08, 16 UTC) uses the
 * rate of the file's last event before `T + 1 minute`, the end of the 1m bar opening at
 * `T`. A file's times may be floored to the hour or carry the exchange's few milliseconds
 * (`…00:00:00.003`): both select the event of `T`.
 *
 * @module
 */
import { CsvStream } from "./csv_stream.ts";
import { settlementCutoff } from "../features/funding_rule.ts";

/** A funding file that cannot serve a replay (malformed, or not covering it). */
export class FundingFileError extends SyntaxError {
  override name = "FundingFileError";
}

/** Funding events of one symbol, ascending. */
export class FundingSchedule {
  /** Event times, epoch ms, strictly ascending. */
  readonly times: Float64Array;
  /** Rate of each event (fraction per interval). */
  readonly rates: Float64Array;
  /** The file read. */
  readonly path: string;

  /**
   * Reads `path` whole (a few thousand rows for years of 8 h funding).
   *
   * @throws {FundingFileError} for a missing column, a malformed row, times out of order or
   *   an empty file
   * @throws {Deno.errors.NotFound} when the file is missing
   */
  constructor(path: string) {
    this.path = path;
    let rows: CsvStream;
    try {
      rows = new CsvStream(path, ["funding_time", "funding_rate"]);
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new FundingFileError(error.message, { cause: error });
      }
      throw error;
    }
    const t: number[] = [], r: number[] = [];
    try {
      const ct = rows.col("funding_time"), cr = rows.col("funding_rate");
      for (let row = rows.take(); row; row = rows.take()) {
        const time = Number(row[ct]), rate = Number(row[cr]);
        const where = `${path}:${rows.lineNo}`;
        if (
          row[ct]?.trim() === "" || row[cr]?.trim() === "" ||
          !Number.isFinite(time) || !Number.isFinite(rate)
        ) {
          throw new FundingFileError(
            `Cannot read funding row at ${where}: invalid values "${
              row.join(",")
            }"`,
          );
        }
        if (t.length > 0 && time <= t[t.length - 1]!) {
          throw new FundingFileError(
            `Cannot read funding row at ${where}: funding_time is not after the previous row's`,
          );
        }
        t.push(time);
        r.push(rate);
      }
    } finally {
      rows.close();
    }
    if (t.length === 0) {
      throw new FundingFileError(
        `Cannot read funding file ${path}: it has no rows`,
      );
    }
    this.times = Float64Array.from(t);
    this.rates = Float64Array.from(r);
  }

  /**
   * The rate the settlement at `fundingTime` charges: the last event before
   * `fundingTime + 1 minute` (see the module doc); NaN when the file starts after that.
   */
  settlementRate(fundingTime: number): number {
    const end = settlementCutoff(fundingTime, "settlements");
    const t = this.times;
    // the first index with t[i] >= end
    let lo = 0, hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t[mid]! < end) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? NaN : this.rates[lo - 1]!;
  }
}
