/**
 * Private test helper: a {@linkcode FakeVenue} and a {@linkcode TradingClient} wired to it
 * for either scheme.
 *
 * @module
 */
import { type Clock, virtualClock } from "../../time/clock.ts";
import {
  DEMO_AGENT_ADDRESS,
  DEMO_AGENT_KEY,
  DEMO_USER,
  DEMO_V1_API_KEY,
  DEMO_V1_SECRET,
} from "../sign/_testdata.ts";
import { NonceCounter } from "../sign/nonce.ts";
import { Secret } from "../sign/secret.ts";
import type { Signer } from "../sign/signer.ts";
import { TimeSync } from "../sign/time_sync.ts";
import { V1Signer } from "../sign/v1_signer.ts";
import { V3Signer } from "../sign/v3_signer.ts";
import { FakeVenue } from "./_fake_venue.ts";
import { TradingClient, type TradingClientOptions } from "./trading_client.ts";

/** A venue, a client on it and the client's time sync. */
export interface Rig extends AsyncDisposable {
  /** The fake venue. */
  readonly venue: FakeVenue;
  /** The client. */
  readonly client: TradingClient;
  /** The signer's clock. */
  readonly sync: TimeSync;
  /** The client's (virtual) clock. */
  readonly clock: Clock & { set(ms: number): void };
}

/** Builds a rig for `scheme`; `extra` overrides client options. */
export function rig(
  scheme: "v1" | "v3",
  extra: Partial<TradingClientOptions> = {},
): Rig {
  const venue = scheme === "v1"
    ? new FakeVenue({
      scheme,
      apiKey: DEMO_V1_API_KEY,
      secret: DEMO_V1_SECRET,
    })
    : new FakeVenue({ scheme, signer: DEMO_AGENT_ADDRESS });
  const sync = new TimeSync({
    serverTime: () => Promise.resolve(venue.now()),
    samples: 1,
    // the tests move the venue's clock by tens of seconds to exercise the resync
    maxOffsetMs: 120_000,
    maxJumpMs: 120_000,
  });
  const signClock = () => sync.now();
  const signer: Signer = scheme === "v1"
    ? new V1Signer({
      apiKey: new Secret(DEMO_V1_API_KEY),
      secretKey: new Secret(DEMO_V1_SECRET),
      clock: signClock,
    })
    : new V3Signer({
      user: DEMO_USER,
      signer: DEMO_AGENT_ADDRESS,
      privateKey: new Secret(DEMO_AGENT_KEY),
      clock: signClock,
      nonces: new NonceCounter(),
    });
  // Mid-minute, so that order-rate windows do not roll during a test.
  const clock = virtualClock(1_700_000_010_000);
  const client = new TradingClient({
    signer,
    timeSync: sync,
    baseUrl: venue.url,
    clock,
    resolveDelaysMs: [0, 5, 10],
    ...extra,
  });
  return {
    venue,
    client,
    sync,
    clock,
    async [Symbol.asyncDispose]() {
      sync.stop();
      await venue.close();
    },
  };
}
