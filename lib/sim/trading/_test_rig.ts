/**
 * Private test helper: a simulator on a manual clock with one V1 and one V3 demo account,
 * and signed fetch helpers built on the project's own signers.
 *
 * @module
 */
import {
  DEMO_AGENT_ADDRESS,
  DEMO_AGENT_KEY,
  DEMO_USER,
  DEMO_V1_API_KEY,
  DEMO_V1_SECRET,
} from "../../exchange/sign/_testdata.ts";
import { NonceCounter } from "../../exchange/sign/nonce.ts";
import type { Params } from "../../exchange/sign/params.ts";
import { Secret } from "../../exchange/sign/secret.ts";
import type {
  HttpMethod,
  SecurityType,
  Signer,
} from "../../exchange/sign/signer.ts";
import { V1Signer } from "../../exchange/sign/v1_signer.ts";
import { V3Signer } from "../../exchange/sign/v3_signer.ts";
import { ManualClock } from "../clock.ts";
import {
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../simulator.ts";

/** 07:55 UTC: the 08:00 funding is 5 sim minutes away. */
export const RIG_START = Date.UTC(2026, 0, 7, 7, 55, 0);

/** A started simulator and signers for its demo accounts. */
export interface Rig extends AsyncDisposable {
  readonly sim: Simulator;
  readonly clock: ManualClock;
  /** V1 signer of the demo key (clock = the sim's server time). */
  readonly v1: Signer;
  /** V3 signer of the demo user/agent (own nonce counter). */
  readonly v3: Signer;
  /** Engine id of the V1 account. */
  readonly v1Id: string;
  /** Engine id of the V3 account. */
  readonly v3Id: string;
  /** Sends a signed request; returns status, parsed JSON (or text) and headers. */
  call(
    signer: Signer,
    method: HttpMethod,
    path: string,
    params?: Params,
    security?: SecurityType,
    queryParams?: Params,
  ): Promise<Reply>;
}

/** A parsed reply. */
export interface Reply {
  readonly status: number;
  // deno-lint-ignore no-explicit-any
  readonly body: any;
  readonly headers: Headers;
}

/** The server time of `sim` (market clock plus skew) as the signers' clock. */
export function serverClock(sim: Simulator): () => number {
  return () => sim.clock.now();
}

/** Sends `signer.sign(...)` to `sim`. */
export async function signedCall(
  sim: Simulator,
  signer: Signer,
  method: HttpMethod,
  path: string,
  params: Params = {},
  security: SecurityType = "TRADE",
  queryParams?: Params,
): Promise<Reply> {
  const r = signer.sign(
    queryParams === undefined
      ? { method, security, params }
      : { method, security, params, queryParams },
  );
  const url = `${sim.restUrl}${path}${r.query === "" ? "" : `?${r.query}`}`;
  const res = await fetch(url, {
    method,
    headers: r.headers,
    ...(r.body === "" ? {} : { body: r.body }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch { /* HTML pages stay text */ }
  return { status: res.status, body, headers: res.headers };
}

/** Starts a rig; `extra` overrides simulator options. */
export async function startRig(
  extra: Partial<SimulatorOptions> = {},
): Promise<Rig> {
  const clock = new ManualClock(RIG_START);
  const sim = await startSimulator({
    clock,
    symbols: ["BTCUSDT", "ETHUSDT"],
    historyMinutes: 5,
    accounts: [
      { kind: "v1", apiKey: DEMO_V1_API_KEY, secretKey: DEMO_V1_SECRET },
      {
        kind: "v3",
        user: DEMO_USER,
        signer: DEMO_AGENT_ADDRESS,
        balance: "5000",
      },
    ],
    ...extra,
  });
  const v1 = new V1Signer({
    apiKey: new Secret(DEMO_V1_API_KEY),
    secretKey: new Secret(DEMO_V1_SECRET),
    clock: serverClock(sim),
  });
  const v3 = new V3Signer({
    user: DEMO_USER,
    signer: DEMO_AGENT_ADDRESS,
    privateKey: new Secret(DEMO_AGENT_KEY),
    clock: serverClock(sim),
    nonces: new NonceCounter(),
  });
  return {
    sim,
    clock,
    v1,
    v3,
    v1Id: DEMO_V1_API_KEY,
    v3Id: DEMO_USER.toLowerCase(),
    call: (signer, method, path, params, security, queryParams) =>
      signedCall(sim, signer, method, path, params, security, queryParams),
    [Symbol.asyncDispose]: () => sim.close(),
  };
}

/** The best bid and ask of `symbol` as numbers. */
export async function bookTop(
  sim: Simulator,
  symbol: string,
): Promise<{ bid: number; ask: number }> {
  const res = await fetch(
    `${sim.restUrl}/fapi/v1/ticker/bookTicker?symbol=${symbol}`,
  );
  const t = await res.json() as { bidPrice: string; askPrice: string };
  return { bid: Number(t.bidPrice), ask: Number(t.askPrice) };
}
