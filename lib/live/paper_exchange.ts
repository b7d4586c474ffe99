/**
 * The in-process exchange of paper trading: the simulator (synthetic market, or a replay
 * of recorded logs or 1m OHLCV files) with a fresh V1 account whose random keys never
 * leave the process, and the clock the bot follows.
 *
 * @module
 */
import {
  Secret,
  type V1Credentials,
  v1Credentials,
} from "../exchange/sign/mod.ts";
import {
  type ManualClock,
  type Simulator,
  type SourceSpec,
  startSimulator,
} from "../sim/mod.ts";
import { type Clock, followClock } from "../time/clock.ts";
import { createSigner } from "../exchange/sign/mod.ts";
import { TradingClient } from "../exchange/trading/mod.ts";
import { SteppedBotClock } from "../time/stepped_clock.ts";

/** Options of {@linkcode startPaperExchange}. */
export interface PaperExchangeOptions {
  /** Listed symbols. */
  readonly symbols: readonly string[];
  /** The market. @default {{ kind: "synthetic" }} */
  readonly source?: SourceSpec;
  /** Sim ms per real ms. @default {1} */
  readonly speed?: number;
  /** Seed of the synthetic market. @default {1} */
  readonly seed?: number;
  /** Initial USDT balance. @default {"10000"} */
  readonly balance?: string;
  /** Closed bars of history before the start. @default {240} */
  readonly historyMinutes?: number;
  /**
   * Lockstep: the simulator runs on this clock (stepped by the caller) and the bot's
   * clock follows it ({@linkcode SteppedBotClock}); `speed` is then unused.
   */
  readonly manualClock?: ManualClock;
}

/** A running paper exchange. */
export interface PaperExchange extends AsyncDisposable {
  /** The simulator. */
  readonly sim: Simulator;
  /** The account's credentials. */
  readonly credentials: V1Credentials;
  /** The account's engine id. */
  readonly accountId: string;
  /** A clock on the sim's time whose sleeps are scaled by the speed. */
  readonly clock: Clock;
  /** Market-stream silence budgets in sim ms that allow ~250 real ms of jitter. */
  readonly silenceBudgetMs: { markPrice: number; kline: number };
  /** Stops the simulator. */
  close(): Promise<void>;
}

/** Starts the simulator with a fresh account. */
export async function startPaperExchange(
  options: PaperExchangeOptions,
): Promise<PaperExchange> {
  const apiKey = randomHex(32);
  const secretKey = randomHex(32);
  const speed = options.speed ?? 1;
  const sim = await startSimulator({
    symbols: [...options.symbols],
    source: options.source ?? { kind: "synthetic" },
    seed: options.seed ?? 1,
    speed,
    historyMinutes: options.historyMinutes ?? 240,
    ...(options.manualClock ? { clock: options.manualClock } : {}),
    accounts: [{
      kind: "v1",
      apiKey,
      secretKey,
      ...(options.balance ? { balance: options.balance } : {}),
    }],
  });
  const close = () => sim.close();
  return {
    sim,
    credentials: v1Credentials(new Secret(apiKey), new Secret(secretKey)),
    accountId: apiKey,
    clock: options.manualClock
      ? new SteppedBotClock(options.manualClock)
      : followClock(sim.clock, speed),
    silenceBudgetMs: {
      markPrice: Math.max(5_000, 250 * speed),
      kline: Math.max(10_000, 250 * speed),
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A REST client of the paper account, signed with its keys on the simulator's clock. */
export function paperClient(exchange: PaperExchange): TradingClient {
  return new TradingClient({
    signer: createSigner(exchange.credentials, {
      clock: () => exchange.sim.clock.now(),
    }),
    baseUrl: exchange.sim.restUrl,
  });
}

/** A funding payment of the account (`GET /income`, FUNDING_FEE): + received. */
export interface FundingPayment {
  readonly symbol: string;
  readonly timeMs: number;
  readonly amount: number;
}

/**
 * The paper account's funding payments of `[start, end]`, from the simulator's income
 * history (`GET /fapi/v1/income?incomeType=FUNDING_FEE`), as a client of the exchange
 * reads them: signed with the account's keys, paged by `startTime`.
 */
export async function fundingPayments(
  exchange: PaperExchange,
  symbols: readonly string[],
  start: number,
  end: number,
): Promise<FundingPayment[]> {
  const client = paperClient(exchange);
  const out: FundingPayment[] = [];
  for (const symbol of symbols) {
    for (let from = start;;) {
      const rows = await client.income({
        symbol,
        incomeType: "FUNDING_FEE",
        startTime: from,
        endTime: end,
        limit: 1000,
      });
      for (const r of rows) {
        out.push({ symbol, timeMs: r.time, amount: Number(r.income) });
      }
      if (rows.length < 1000) break;
      from = rows[rows.length - 1]!.time + 1;
    }
  }
  return out;
}

function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
