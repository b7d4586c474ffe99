/**
 * Typed user-data-stream events (aster-protocol §5) and their pure parser.
 *
 * @module
 */
import { arr, dec, int, obj, str } from "../_validate.ts";

/** An order changed (`ORDER_TRADE_UPDATE`). */
export interface OrderUpdateEvent {
  /** Discriminant. */
  readonly kind: "orderUpdate";
  /** Event time, epoch ms. */
  readonly eventTime: number;
  /** Transaction time, epoch ms. */
  readonly transactionTime: number;
  /** Symbol. */
  readonly symbol: string;
  /** Client order id (`autoclose-…` liquidation, `adl_autoclose` ADL). */
  readonly clientOrderId: string;
  /** Exchange order id. */
  readonly orderId: number;
  /** Side. */
  readonly side: string;
  /** Executing order type. */
  readonly orderType: string;
  /** Order type as placed. */
  readonly origType: string;
  /** Time in force. */
  readonly timeInForce: string;
  /** Original quantity. */
  readonly origQty: string;
  /** Original price. */
  readonly price: string;
  /** Average fill price. */
  readonly avgPrice: string;
  /** Stop price. */
  readonly stopPrice: string;
  /** Execution type: NEW, CANCELED, CALCULATED, EXPIRED, TRADE. */
  readonly execType: string;
  /** Order status. */
  readonly status: string;
  /** Last fill quantity. */
  readonly lastFilledQty: string;
  /** Cumulative filled quantity. */
  readonly filledQty: string;
  /** Last fill price. */
  readonly lastFilledPrice: string;
  /** Commission of this fill, when any. */
  readonly commission?: string;
  /** Commission asset, when any. */
  readonly commissionAsset?: string;
  /** Trade id (0 if none). */
  readonly tradeId: number;
  /** The fill was maker. */
  readonly maker: boolean;
  /** Reduce-only. */
  readonly reduceOnly: boolean;
  /** Close-position. */
  readonly closePosition: boolean;
  /** Position side. */
  readonly positionSide: string;
  /** Working type. */
  readonly workingType: string;
  /** Realized PnL of this fill. */
  readonly realizedPnl: string;
}

/** A balance row of {@linkcode AccountUpdateEvent}. */
export interface BalanceUpdate {
  /** Asset. */
  readonly asset: string;
  /** Wallet balance. */
  readonly walletBalance: string;
  /** Cross wallet balance. */
  readonly crossWalletBalance: string;
  /** Change excluding PnL and commission. */
  readonly balanceChange: string;
}

/** A position row of {@linkcode AccountUpdateEvent}. */
export interface PositionUpdate {
  /** Symbol. */
  readonly symbol: string;
  /** Signed amount. */
  readonly positionAmt: string;
  /** Entry price. */
  readonly entryPrice: string;
  /** Unrealized PnL. */
  readonly unrealizedPnl: string;
  /** `isolated` or `cross`. */
  readonly marginType: string;
  /** Isolated wallet. */
  readonly isolatedWallet: string;
  /** Position side. */
  readonly positionSide: string;
}

/** Balances/positions changed (`ACCOUNT_UPDATE`). */
export interface AccountUpdateEvent {
  /** Discriminant. */
  readonly kind: "accountUpdate";
  /** Event time. */
  readonly eventTime: number;
  /** Transaction time. */
  readonly transactionTime: number;
  /** Reason (ORDER, FUNDING_FEE, …). */
  readonly reason: string;
  /** Changed balances. */
  readonly balances: readonly BalanceUpdate[];
  /** Changed positions. */
  readonly positions: readonly PositionUpdate[];
}

/** A position row of {@linkcode MarginCallEvent}. */
export interface MarginCallPosition {
  /** Symbol. */
  readonly symbol: string;
  /** Position side. */
  readonly positionSide: string;
  /** Signed amount. */
  readonly positionAmt: string;
  /** `CROSSED` or `ISOLATED`. */
  readonly marginType: string;
  /** Isolated wallet. */
  readonly isolatedWallet: string;
  /** Mark price. */
  readonly markPrice: string;
  /** Unrealized PnL. */
  readonly unrealizedPnl: string;
  /** Maintenance margin required. */
  readonly maintMargin: string;
}

/** Margin warning (`MARGIN_CALL`). */
export interface MarginCallEvent {
  /** Discriminant. */
  readonly kind: "marginCall";
  /** Event time. */
  readonly eventTime: number;
  /** Cross wallet balance (cross only). */
  readonly crossWalletBalance?: string;
  /** Positions at risk. */
  readonly positions: readonly MarginCallPosition[];
}

/** Leverage or account-mode change (`ACCOUNT_CONFIG_UPDATE`). */
export interface AccountConfigEvent {
  /** Discriminant. */
  readonly kind: "accountConfig";
  /** Event time. */
  readonly eventTime: number;
  /** Leverage change, when that is what changed. */
  readonly leverage?: { readonly symbol: string; readonly leverage: number };
  /** Multi-assets mode, when that is what changed. */
  readonly multiAssets?: boolean;
}

/** The listen key expired: recreate it and reconnect. */
export interface ListenKeyExpiredEvent {
  /** Discriminant. */
  readonly kind: "listenKeyExpired";
  /** Event time. */
  readonly eventTime: number;
}

/** Any typed user event. */
export type UserEvent =
  | OrderUpdateEvent
  | AccountUpdateEvent
  | MarginCallEvent
  | AccountConfigEvent
  | ListenKeyExpiredEvent;

function flag(v: unknown, what: string): boolean {
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  throw new TypeError(
    `Cannot parse ${what}: ${JSON.stringify(v)} is not a boolean`,
  );
}

function text(v: unknown, what: string): string {
  if (typeof v === "string") return v;
  throw new TypeError(`Cannot parse ${what}: not a string`);
}

/**
 * Parses one user-stream payload (JSON text or object). Returns `undefined` for an unknown
 * `e` (e.g. V3 `announcement`), which callers count and ignore.
 *
 * @throws {SyntaxError|TypeError} for invalid JSON or a malformed known event
 */
export function parseUserEvent(input: string | unknown): UserEvent | undefined {
  const raw = typeof input === "string" ? JSON.parse(input) : input;
  const m = obj(raw, "user event");
  const e = m.e;
  const eventTime = int(m.E, "user event E");
  switch (e) {
    case "ORDER_TRADE_UPDATE": {
      const o = obj(m.o, "ORDER_TRADE_UPDATE.o");
      const at = (k: string) => `ORDER_TRADE_UPDATE.o.${k}`;
      const ev: {
        -readonly [K in keyof OrderUpdateEvent]: OrderUpdateEvent[K];
      } = {
        kind: "orderUpdate",
        eventTime,
        transactionTime: int(m.T ?? o.T, "ORDER_TRADE_UPDATE.T"),
        symbol: str(o.s, at("s")),
        clientOrderId: str(o.c, at("c")),
        orderId: int(o.i, at("i")),
        side: str(o.S, at("S")),
        orderType: str(o.o, at("o")),
        origType: str(o.ot ?? o.o, at("ot")),
        timeInForce: str(o.f, at("f")),
        origQty: dec(o.q, at("q")),
        price: dec(o.p, at("p")),
        avgPrice: dec(o.ap ?? "0", at("ap")),
        stopPrice: dec(o.sp ?? "0", at("sp")),
        execType: str(o.x, at("x")),
        status: str(o.X, at("X")),
        lastFilledQty: dec(o.l, at("l")),
        filledQty: dec(o.z, at("z")),
        lastFilledPrice: dec(o.L, at("L")),
        tradeId: int(o.t ?? 0, at("t")),
        maker: flag(o.m ?? false, at("m")),
        reduceOnly: flag(o.R ?? false, at("R")),
        closePosition: flag(o.cp ?? false, at("cp")),
        positionSide: str(o.ps ?? "BOTH", at("ps")),
        workingType: str(o.wt ?? "CONTRACT_PRICE", at("wt")),
        realizedPnl: dec(o.rp ?? "0", at("rp")),
      };
      if (o.n !== undefined) ev.commission = dec(o.n, at("n"));
      if (o.N !== undefined) ev.commissionAsset = text(o.N, at("N"));
      return ev;
    }
    case "ACCOUNT_UPDATE": {
      const a = obj(m.a, "ACCOUNT_UPDATE.a");
      return {
        kind: "accountUpdate",
        eventTime,
        transactionTime: int(m.T ?? eventTime, "ACCOUNT_UPDATE.T"),
        reason: str(a.m, "ACCOUNT_UPDATE.a.m"),
        balances: arr(a.B ?? [], "ACCOUNT_UPDATE.a.B").map((r, i) => {
          const b = obj(r, `ACCOUNT_UPDATE.a.B[${i}]`);
          const at = (k: string) => `ACCOUNT_UPDATE.a.B[${i}].${k}`;
          return {
            asset: str(b.a, at("a")),
            walletBalance: dec(b.wb, at("wb")),
            crossWalletBalance: dec(b.cw, at("cw")),
            balanceChange: dec(b.bc ?? "0", at("bc")),
          };
        }),
        positions: arr(a.P ?? [], "ACCOUNT_UPDATE.a.P").map((r, i) => {
          const p = obj(r, `ACCOUNT_UPDATE.a.P[${i}]`);
          const at = (k: string) => `ACCOUNT_UPDATE.a.P[${i}].${k}`;
          return {
            symbol: str(p.s, at("s")),
            positionAmt: dec(p.pa, at("pa")),
            entryPrice: dec(p.ep, at("ep")),
            unrealizedPnl: dec(p.up, at("up")),
            marginType: str(p.mt, at("mt")),
            isolatedWallet: dec(p.iw ?? "0", at("iw")),
            positionSide: str(p.ps ?? "BOTH", at("ps")),
          };
        }),
      };
    }
    case "MARGIN_CALL": {
      const ev: { -readonly [K in keyof MarginCallEvent]: MarginCallEvent[K] } =
        {
          kind: "marginCall",
          eventTime,
          positions: arr(m.p, "MARGIN_CALL.p").map((r, i) => {
            const p = obj(r, `MARGIN_CALL.p[${i}]`);
            const at = (k: string) => `MARGIN_CALL.p[${i}].${k}`;
            return {
              symbol: str(p.s, at("s")),
              positionSide: str(p.ps ?? "BOTH", at("ps")),
              positionAmt: dec(p.pa, at("pa")),
              marginType: str(p.mt, at("mt")),
              isolatedWallet: dec(p.iw ?? "0", at("iw")),
              markPrice: dec(p.mp, at("mp")),
              unrealizedPnl: dec(p.up, at("up")),
              maintMargin: dec(p.mm, at("mm")),
            };
          }),
        };
      if (m.cw !== undefined) {
        ev.crossWalletBalance = dec(m.cw, "MARGIN_CALL.cw");
      }
      return ev;
    }
    case "ACCOUNT_CONFIG_UPDATE": {
      const ev: {
        -readonly [K in keyof AccountConfigEvent]: AccountConfigEvent[K];
      } = { kind: "accountConfig", eventTime };
      if (m.ac !== undefined) {
        const ac = obj(m.ac, "ACCOUNT_CONFIG_UPDATE.ac");
        ev.leverage = {
          symbol: str(ac.s, "ACCOUNT_CONFIG_UPDATE.ac.s"),
          leverage: int(ac.l, "ACCOUNT_CONFIG_UPDATE.ac.l"),
        };
      }
      if (m.ai !== undefined) {
        const ai = obj(m.ai, "ACCOUNT_CONFIG_UPDATE.ai");
        if (ai.j !== undefined) {
          ev.multiAssets = flag(ai.j, "ACCOUNT_CONFIG_UPDATE.ai.j");
        }
      }
      return ev;
    }
    case "listenKeyExpired":
      return { kind: "listenKeyExpired", eventTime };
    default:
      return undefined;
  }
}
