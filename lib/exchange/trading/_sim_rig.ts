/**
 * Private test helper: the simulator on a manual clock with one V1 and one V3 demo account,
 * a real {@linkcode TradingClient} per scheme (signing on a real {@linkcode TimeSync} over
 * the sim's `/time`), timers driven by the sim clock, and small polling helpers.
 *
 * @module
 */
import { ManualClock } from "../../sim/clock.ts";
import {
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../../sim/simulator.ts";
import {
  demoAccounts,
  type DemoCredentials,
  generateDemoCredentials,
} from "../../sim/trading/demo_accounts.ts";
import { createSigner } from "../sign/create_signer.ts";
import { v1Credentials, v3Credentials } from "../sign/credentials.ts";
import { NonceCounter } from "../sign/nonce.ts";
import { Secret } from "../sign/secret.ts";
import {
  type TimerApi,
  TimeSync,
  type TimeSyncOptions,
} from "../sign/time_sync.ts";
import { TradingClient, type TradingClientOptions } from "./trading_client.ts";
import { reconcile, type Reconciliation } from "./reconcile.ts";
import type { UserEvent } from "./user_events.ts";
import {
  type ListenKeyApi,
  type ReconnectInfo,
  UserStream,
} from "./user_stream.ts";

const MINUTE = 60_000;

/** 07:55 UTC: the 08:00 funding is 5 sim minutes away. */
export const SIM_START = Date.UTC(2026, 0, 7, 7, 55, 0);

/** The two signing schemes, for `for (const scheme of SCHEMES)` loops. */
export const SCHEMES = ["v1", "v3"] as const;

/** A scheme. */
export type Scheme = typeof SCHEMES[number];

/** A client of one demo account. */
export interface SimClient {
  /** The scheme. */
  readonly scheme: Scheme;
  /** The client under test. */
  readonly client: TradingClient;
  /** Its time sync (over the sim's `/fapi/v1/time`, local clock = the sim clock). */
  readonly sync: TimeSync;
  /** The account's engine id. */
  readonly accountId: string;
}

/** Credentials that differ from the demo account's (for auth error tests). */
export interface CredentialOverride {
  /** V1 API key. */
  apiKey?: string;
  /** V1 secret. */
  secretKey?: string;
  /** V3 user (main wallet) address. */
  user?: string;
  /** V3 signer address. */
  signer?: string;
  /** V3 agent private key (hex). */
  agentKey?: string;
}

/** A started simulator with a client per scheme. */
export interface SimRig extends AsyncDisposable {
  /** The simulator. */
  readonly sim: Simulator;
  /** Its manual clock. */
  readonly clock: ManualClock;
  /** The demo credentials of the two accounts. */
  readonly demo: DemoCredentials;
  /** Clients by scheme. */
  readonly clients: Readonly<Record<Scheme, SimClient>>;
  /** The V3 nonce counter of this rig's clients. */
  readonly nonces: NonceCounter;
  /**
   * Builds another client of `scheme` (e.g. with wrong credentials); `sync` overrides
   * its time sync's options (the rig's allow tens of seconds of skew); `liveNonceBound`
   * bounds a V3 nonce by the local clock as the live session does.
   */
  makeClient(
    scheme: Scheme,
    override?: CredentialOverride,
    extra?: Partial<TradingClientOptions>,
    sync?: Partial<Omit<TimeSyncOptions, "serverTime" | "clock">>,
    liveNonceBound?: boolean,
  ): SimClient;
}

/** Starts the simulator and a client per scheme. */
export async function startSimRig(
  options: Partial<SimulatorOptions> = {},
): Promise<SimRig> {
  const clock = new ManualClock(options.startTime ?? SIM_START);
  const demo = generateDemoCredentials();
  const sim = await startSimulator({
    clock,
    symbols: ["BTCUSDT", "ETHUSDT"],
    historyMinutes: 5,
    accounts: demoAccounts(demo, "10000"),
    ...options,
  });
  const syncs: TimeSync[] = [];
  // One "process" per rig: each simulator starts at the same sim time, so the
  // process-wide counter of earlier rigs would run ahead of this server's clock.
  const nonces = new NonceCounter();
  const makeClient = (
    scheme: Scheme,
    override: CredentialOverride = {},
    extra: Partial<TradingClientOptions> = {},
    syncOptions: Partial<Omit<TimeSyncOptions, "serverTime" | "clock">> = {},
    liveNonceBound = false,
  ): SimClient => {
    const sync = new TimeSync({
      serverTime: async (signal) => {
        const res = await fetch(`${sim.restUrl}/fapi/v1/time`, { signal });
        return ((await res.json()) as { serverTime: number }).serverTime;
      },
      clock: () => clock.now(),
      samples: 1,
      // the tests skew the simulator's clock by tens of seconds on purpose
      maxOffsetMs: 120_000,
      maxJumpMs: 120_000,
      ...syncOptions,
    });
    syncs.push(sync);
    const credentials = scheme === "v1"
      ? v1Credentials(
        new Secret(override.apiKey ?? demo.apiKey),
        new Secret(override.secretKey ?? demo.secretKey),
      )
      : v3Credentials(
        override.user ?? demo.user,
        override.signer ?? demo.signer,
        new Secret(override.agentKey ?? demo.agentKey),
      );
    const client = new TradingClient({
      signer: createSigner(credentials, {
        clock: () => sync.now(),
        nonces,
        // V3: the nonce bounded as the live session bounds it
        ...(liveNonceBound ? { localClock: () => sync.steppedLocalNow() } : {}),
      }),
      timeSync: sync,
      baseUrl: sim.restUrl,
      resolveDelaysMs: [0, 10, 20],
      orderRate: { limit: 100_000 },
      ...extra,
    });
    return {
      scheme,
      client,
      sync,
      accountId: scheme === "v1"
        ? override.apiKey ?? demo.apiKey
        : (override.user ?? demo.user).toLowerCase(),
    };
  };
  const clients = { v1: makeClient("v1"), v3: makeClient("v3") };
  return {
    sim,
    clock,
    demo,
    nonces,
    clients,
    makeClient,
    async [Symbol.asyncDispose]() {
      for (const s of syncs) s.stop();
      await sim.close();
    },
  };
}

/** A running {@linkcode UserStream} on the rig's clock, with what it delivered. */
export interface Harness extends AsyncDisposable {
  /** The stream under test. */
  readonly stream: UserStream;
  /** Its listen-key calls. */
  readonly keys: TrackedKeys;
  /** Its timers (keepalive, back-off) on the sim clock. */
  readonly timers: ManualTimers;
  /** Every event delivered. */
  readonly events: UserEvent[];
  /** Each `onReconnected` call and the REST reconciliation it made. */
  readonly reconnects: { info: ReconnectInfo; seen: Reconciliation }[];
  /** Advances the sim clock in `stepMs` steps, letting listen-key calls finish. */
  advance(ms: number, stepMs?: number): Promise<void>;
}

/**
 * Starts a {@linkcode UserStream} for `client` (timers on the sim clock) whose `onReconnected` runs
 * {@linkcode reconcile} for BTCUSDT.
 */
export async function startStream(
  rig: SimRig,
  client: TradingClient,
  keepAliveMs?: number,
): Promise<Harness> {
  const timers = new ManualTimers(rig.clock);
  const keys = new TrackedKeys(client);
  const events: UserEvent[] = [];
  const reconnects: Harness["reconnects"] = [];
  const stream = new UserStream({
    api: keys,
    wsUrl: rig.sim.wsUrl,
    timers,
    now: () => rig.clock.now(),
    onEvent: (event) => events.push(event),
    onReconnected: async (info) => {
      reconnects.push({ info, seen: await reconcile(client, "BTCUSDT") });
    },
    ...(keepAliveMs === undefined ? {} : { keepAliveMs }),
  });
  await stream.start();
  return {
    stream,
    keys,
    timers,
    events,
    reconnects,
    async advance(ms, stepMs = MINUTE) {
      for (let done = 0; done < ms; done += stepMs) {
        rig.clock.advance(Math.min(stepMs, ms - done));
        await keys.idle();
      }
    },
    async [Symbol.asyncDispose]() {
      await stream.close();
      timers[Symbol.dispose]();
    },
  };
}

/** Timers that fire when a {@linkcode ManualClock} passes their due time. */
export class ManualTimers implements TimerApi, Disposable {
  #clock: ManualClock;
  #next = 1;
  #due = new Map<number, { at: number; callback: () => void }>();
  #off: () => void;

  /** Subscribes to `clock`'s moves. */
  constructor(clock: ManualClock) {
    this.#clock = clock;
    this.#off = clock.onMove((now) => this.#fire(now));
  }

  /** Schedules `callback` at sim time now + `ms`. */
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#due.set(id, { at: this.#clock.now() + ms, callback });
    return id;
  }

  /** Cancels a timer. */
  clearTimeout(handle: unknown): void {
    if (typeof handle === "number") this.#due.delete(handle);
  }

  /** Pending timers. */
  get pending(): number {
    return this.#due.size;
  }

  /** Unsubscribes from the clock. */
  [Symbol.dispose](): void {
    this.#off();
    this.#due.clear();
  }

  #fire(now: number): void {
    const due = [...this.#due].filter(([, t]) => t.at <= now).sort((a, b) =>
      a[1].at - b[1].at
    );
    for (const [id, t] of due) {
      if (!this.#due.delete(id)) continue;
      t.callback();
    }
  }
}

/** A {@linkcode ListenKeyApi} that counts calls and lets tests wait until none is in flight. */
export class TrackedKeys implements ListenKeyApi {
  /** Calls made, by name. */
  readonly calls = { create: 0, keepAlive: 0, close: 0 };
  #api: ListenKeyApi;
  #inFlight = new Set<Promise<unknown>>();

  /** Wraps `api`. */
  constructor(api: ListenKeyApi) {
    this.#api = api;
  }

  /** Creates a key. */
  createListenKey(): Promise<string> {
    this.calls.create++;
    return this.#track(this.#api.createListenKey());
  }

  /** Keeps the key alive. */
  keepAliveListenKey(): Promise<void> {
    this.calls.keepAlive++;
    return this.#track(this.#api.keepAliveListenKey());
  }

  /** Closes the key. */
  closeListenKey(): Promise<void> {
    this.calls.close++;
    return this.#track(this.#api.closeListenKey());
  }

  /** Whether a call is in flight. */
  get busy(): boolean {
    return this.#inFlight.size > 0;
  }

  /** Resolves once no call is in flight. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) {
      await Promise.allSettled([...this.#inFlight]);
    }
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#inFlight.add(p);
    const done = () => this.#inFlight.delete(p);
    p.then(done, done);
    return p;
  }
}

/** Sleeps `ms` of real time. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every 5 ms of real time until it returns true.
 *
 * @throws {Error} naming `what` after `timeoutMs`
 */
export async function waitUntil(
  check: () => boolean,
  what: string,
  timeoutMs = 3000,
): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) {
      throw new Error(`Cannot wait for ${what}: timed out`);
    }
    await pause(5);
  }
}

/** Rounds `price` down to a multiple of `tick` and formats it with its decimals. */
export function tickDown(price: number, tick: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(tick) + 1e-9));
  return (Math.floor(price / tick + 1e-9) * tick).toFixed(decimals);
}

/** Rounds `price` up to a multiple of `tick` and formats it with its decimals. */
export function tickUp(price: number, tick: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(tick) + 1e-9));
  return (Math.ceil(price / tick - 1e-9) * tick).toFixed(decimals);
}
