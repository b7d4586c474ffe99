/**
 * What the preflight needs from the exchange ({@linkcode DoctorPort}), its configuration
 * ({@linkcode DoctorConfig}) and its results ({@linkcode CheckResult}).
 *
 * @module
 */
import type { ProtectionConfig } from "./check_protection.ts";
import type { SymbolInfo } from "../exchange/exchange_info.ts";
import type { PositionRisk } from "../exchange/trading/parsers.ts";

/** The exchange calls the preflight makes; signed ones need valid credentials. */
export interface DoctorPort {
  /** `GET /fapi/v1/time`: server epoch ms. */
  serverTime(): Promise<number>;
  /** `GET /fapi/v1/exchangeInfo`: every listed symbol. */
  symbols(): Promise<readonly SymbolInfo[]>;
  /** The mark price of `symbol` as a decimal string. */
  markPrice(symbol: string): Promise<string>;
  /** Signed: the account (proves the credentials work; its balance funds the entries). */
  account(): Promise<{ readonly availableBalance: string }>;
  /** Signed: true for hedge mode (`dualSidePosition`), false for one-way. */
  positionMode(): Promise<boolean>;
  /** Signed: position risk rows (leverage, margin type, position) of every symbol. */
  positionRisk(): Promise<readonly PositionRisk[]>;
}

/** The credentials as loaded: the scheme, or why loading failed. */
export type CredentialStatus =
  | { readonly scheme: "v1" | "v3"; readonly who?: string }
  | { readonly error: string };

/** The margin types the bot can be configured with. */
export const MARGIN_TYPES = ["ISOLATED", "CROSSED"] as const;
/** One of {@linkcode MARGIN_TYPES}. */
export type MarginType = typeof MARGIN_TYPES[number];

/** What the bot will run with; the preflight checks the exchange against it. */
export interface DoctorConfig {
  /** Symbols to trade. */
  readonly symbols: readonly string[];
  /** Entry notional in USD. */
  readonly orderNotional: number;
  /** Leverage the bot sets. */
  readonly leverage: number;
  /** Margin type the bot sets. */
  readonly marginType: MarginType;
  /** Largest tolerated |local clock − server clock| (half the round trip included), ms. */
  readonly maxClockOffsetMs: number;
  /** Where the CSV logs go. */
  readonly logDir: string;
  /** Further directories the bot writes (e.g. the decision journal's). @default {[]} */
  readonly writableDirs?: readonly string[];
  /** The live bot's safety-state file (`--state_file`); absent or empty = not checked. */
  readonly stateFile?: string;
  /** The decision journal (`--journal`): past trading there makes a missing state file fail. */
  readonly journalPath?: string;
  /**
   * Whether missing credentials fail the preflight; false for a dry run, where they only
   * warn. @default {true}
   */
  readonly credentialsRequired?: boolean;
  /** The loaded credentials. */
  readonly credentials: CredentialStatus;
  /**
   * The entry guard's limits and the protection settings: checked (price band per symbol,
   * limits, balance, kill threshold and leverage) when given.
   */
  readonly protection?: ProtectionConfig;
}

/** Verdict of one check: `warn` is reported but does not fail the preflight. */
export type CheckStatus = "pass" | "warn" | "fail";

/** One row of the report. */
export interface CheckResult {
  /** The check, e.g. "clock offset". */
  readonly check: string;
  /** What was checked: a symbol, a directory, or "-" for global checks. */
  readonly subject: string;
  /** The verdict. */
  readonly status: CheckStatus;
  /** Measured value and, on failure, what to do. */
  readonly detail: string;
}
