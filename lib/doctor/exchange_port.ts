/**
 * {@linkcode exchangeDoctorPort}: the real {@linkcode DoctorPort} over the market REST client
 * and the signed trading client.
 *
 * @module
 */
import type { MarketRestClient } from "../exchange/market_rest_client.ts";
import type { TradingClient } from "../exchange/trading/trading_client.ts";
import type { DoctorPort } from "./doctor_port.ts";

/** The calls the adapter makes on the trading client. */
export type DoctorTradingApi = Pick<
  TradingClient,
  "account" | "positionMode" | "positionRisk"
>;

/**
 * Adapts the exchange clients to the preflight's port. Without a trading client (no
 * credentials), signed calls reject.
 */
export function exchangeDoctorPort(
  market: MarketRestClient,
  trading: DoctorTradingApi | undefined,
): DoctorPort {
  const signed = (): DoctorTradingApi => {
    if (trading === undefined) {
      throw new TypeError("Cannot make a signed request: no credentials");
    }
    return trading;
  };
  return {
    serverTime: () => market.serverTime(),
    symbols: async () => (await market.exchangeInfo()).symbols,
    markPrice: async (symbol) => (await market.premiumIndex(symbol)).markPrice,
    account: () => signed().account(),
    positionMode: () => signed().positionMode(),
    positionRisk: () => signed().positionRisk(),
  };
}
