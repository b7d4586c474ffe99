// A configurable fake exchange for the preflight's tests.
import type { SymbolInfo } from "../exchange/exchange_info.ts";
import type { PositionRisk } from "../exchange/trading/parsers.ts";
import type { DoctorConfig, DoctorPort } from "./doctor_port.ts";

export function symbolInfo(
  symbol: string,
  over: Partial<SymbolInfo> = {},
): SymbolInfo {
  return {
    symbol,
    status: "TRADING",
    baseAsset: symbol.replace(/USDT$/, ""),
    quoteAsset: "USDT",
    marginAsset: "USDT",
    contractType: "PERPETUAL",
    pricePrecision: 1,
    quantityPrecision: 3,
    tickSize: "0.1",
    minPrice: "0.1",
    maxPrice: "1000000",
    stepSize: "0.001",
    minQty: "0.001",
    maxQty: "100",
    marketStepSize: "0.001",
    marketMinQty: "0.001",
    marketMaxQty: "50",
    minNotional: "5",
    multiplierUp: undefined,
    multiplierDown: undefined,
    multiplierDecimal: undefined,
    maxNumOrders: undefined,
    maxNumAlgoOrders: undefined,
    triggerProtect: undefined,
    marketTakeBound: undefined,
    ...over,
  };
}

export function riskRow(
  symbol: string,
  over: Partial<PositionRisk> = {},
): PositionRisk {
  return {
    symbol,
    positionAmt: "0",
    entryPrice: "0",
    markPrice: "100",
    unRealizedProfit: "0",
    liquidationPrice: "0",
    leverage: 10,
    marginType: "isolated",
    isolatedMargin: "0",
    positionSide: "BOTH",
    updateTime: 0,
    ...over,
  };
}

export interface FakeState {
  skewMs: number;
  hedge: boolean;
  rejectSigned: string | undefined;
  symbols: SymbolInfo[];
  marks: Record<string, string>;
  risks: PositionRisk[];
  /** The available balance. @default {"10000"} */
  balance?: string;
}

export function fakePort(state: FakeState, now: () => number): DoctorPort {
  const signed = () => {
    if (state.rejectSigned !== undefined) {
      return Promise.reject(new Error(state.rejectSigned));
    }
    return Promise.resolve();
  };
  return {
    serverTime: () => Promise.resolve(now() + state.skewMs),
    symbols: () => Promise.resolve(state.symbols),
    markPrice: (s) => {
      const m = state.marks[s];
      return m === undefined
        ? Promise.reject(new RangeError(`Cannot price ${s}`))
        : Promise.resolve(m);
    },
    account: () =>
      signed().then(() => ({ availableBalance: state.balance ?? "10000" })),
    positionMode: () => signed().then(() => state.hedge),
    positionRisk: () => signed().then(() => state.risks),
  };
}

export function goodState(): FakeState {
  return {
    skewMs: 0,
    hedge: false,
    rejectSigned: undefined,
    symbols: [symbolInfo("BTCUSDT"), symbolInfo("ETHUSDT")],
    marks: { BTCUSDT: "60000", ETHUSDT: "3000" },
    risks: [riskRow("BTCUSDT"), riskRow("ETHUSDT")],
  };
}

export function goodConfig(over: Partial<DoctorConfig> = {}): DoctorConfig {
  return {
    symbols: ["BTCUSDT", "ETHUSDT"],
    orderNotional: 100,
    leverage: 10,
    marginType: "ISOLATED",
    maxClockOffsetMs: 500,
    logDir: "/tmp/unused",
    credentials: { scheme: "v1" },
    ...over,
  };
}
