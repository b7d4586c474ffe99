/**
 * The preflight rows of the entry guard and the protection settings: each symbol's price
 * band, the notional limits, the margin the entries need against the available balance,
 * and settings that would switch the kill switch or the stop-loss off. Pure.
 *
 * @module
 */
import { Decimal } from "decimal.js";
import type { SymbolInfo } from "../exchange/exchange_info.ts";
import {
  checkEntryLimits,
  type EntryLimits,
  priceBand,
} from "../order/entry_guard.ts";
import {
  type ProtectionSettings,
  weakProtection,
} from "../order/protection.ts";
import type { CheckResult } from "./doctor_port.ts";

/** What the protection rows need (the bot's flags of the same names). */
export interface ProtectionConfig extends ProtectionSettings {
  /** `--allow_weak_protection`: weak settings warn instead of failing. */
  readonly allowWeakProtection: boolean;
  /** The entry guard's limits. */
  readonly entryLimits: EntryLimits;
}

/** The "protection" row(s): a kill threshold or leverage that disables protection fails. */
export function checkProtection(p: ProtectionConfig): CheckResult[] {
  const problems = weakProtection(p);
  if (problems.length === 0) {
    return [{
      check: "protection",
      subject: "-",
      status: "pass",
      detail:
        `kill switch at margin ratio ${p.killThreshold}; stop-loss ${p.slBps} bp at leverage ${p.leverage}`,
    }];
  }
  return problems.map((detail) => ({
    check: "protection",
    subject: "-",
    status: p.allowWeakProtection ? "warn" : "fail",
    detail: p.allowWeakProtection
      ? `${detail} (allowed by --allow_weak_protection)`
      : `${detail}; pass --allow_weak_protection true to accept it`,
  }));
}

/** The "entry limits" row: the caps are usable and agree with `--order_notional`. */
export function checkLimits(
  limits: EntryLimits,
  orderNotional: number,
): CheckResult {
  try {
    checkEntryLimits(limits, orderNotional);
  } catch (error) {
    return {
      check: "entry limits",
      subject: "-",
      status: "fail",
      detail: error instanceof Error ? error.message : String(error),
    };
  }
  return {
    check: "entry limits",
    subject: "-",
    status: "pass",
    detail: `entry ≤ ${
      new Decimal(orderNotional).mul(1 + limits.maxUpsize).toDecimalPlaces(2)
    } USD at mark (order_notional × (1 + max_upsize ${limits.maxUpsize})), position ≤ ${limits.maxPositionNotional} USD`,
  };
}

/** One symbol's "price band" row: PERCENT_PRICE and `--max_price_deviation_bps`. */
export function checkPriceBand(
  info: Pick<SymbolInfo, "symbol" | "multiplierUp" | "multiplierDown">,
  maxPriceDeviationBps: number,
): CheckResult {
  try {
    const band = priceBand(info, maxPriceDeviationBps);
    return {
      check: "price band",
      subject: info.symbol,
      status: "pass",
      detail:
        `entries priced within −${band.downBps}/+${band.upBps} bp of the mark`,
    };
  } catch (error) {
    return {
      check: "price band",
      subject: info.symbol,
      status: "fail",
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * The "balance" row: every symbol holding one entry at once needs
 * `symbols × order_notional × (1 + max_upsize) / leverage` of initial margin, which must
 * not exceed the available balance.
 */
export function checkBalance(
  availableBalance: string,
  symbols: number,
  orderNotional: number,
  leverage: number,
  limits: EntryLimits,
): CheckResult {
  const available = new Decimal(availableBalance);
  const need = new Decimal(orderNotional).mul(1 + limits.maxUpsize).mul(symbols)
    .div(leverage);
  const text =
    `${symbols} symbol(s) × order_notional ${orderNotional} × (1 + ${limits.maxUpsize}) / leverage ${leverage} = ${
      need.toDecimalPlaces(2)
    } USDT of margin; available ${available.toDecimalPlaces(2)} USDT`;
  return {
    check: "balance",
    subject: "-",
    status: need.gt(available) ? "fail" : "pass",
    detail: need.gt(available) ? `${text}: lower --order_notional` : text,
  };
}
