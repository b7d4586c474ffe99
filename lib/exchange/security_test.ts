/**
 * Security (issue 18, item 11): prices and quantities pass a strict decimal grammar at the
 * boundary (stream and REST market data), so no whitespace, newline, hex/binary literal,
 * exponent, sign or zero price reaches a cache, an order or a recorder CSV.
 */
import { equal, throws } from "node:assert/strict";
import { parseBookTicker } from "./rest_parsers.ts";
import { parseStreamMessage } from "./stream_parser.ts";

function book(bid: string, ask = "60600.1"): string {
  return JSON.stringify({
    stream: "btcusdt@bookTicker",
    data: {
      e: "bookTicker",
      u: 1,
      s: "BTCUSDT",
      b: bid,
      B: "3",
      a: ask,
      A: "6",
      T: 1,
      E: 1,
    },
  });
}

const BAD_PRICES = [
  " 60600",
  "60600 ",
  "60600\n",
  "60600\n1,BTCUSDT,2",
  "0x1F",
  "0b11",
  "0o7",
  "1e5",
  "-60600",
  "+60600",
  "0",
  "0.000",
  "",
  "Infinity",
  "060600",
  ".5",
  "5.",
  "6,06",
];

Deno.test("security: stream prices use a strict decimal grammar", async (t) => {
  await t.step("valid prices pass unchanged", () => {
    for (const p of ["60600", "60600.10", "0.00001234", "1"]) {
      const e = parseStreamMessage(book(p));
      equal(e?.kind === "bookTicker" && e.bidPrice, p);
    }
  });
  for (const p of BAD_PRICES) {
    await t.step(JSON.stringify(p), () => {
      throws(() => parseStreamMessage(book(p)), SyntaxError);
    });
  }
  await t.step("quantities may be 0 but not signed or spaced", () => {
    const q = (qty: string) =>
      parseStreamMessage(
        book("1").replace('"B":"3"', `"B":${JSON.stringify(qty)}`),
      );
    equal(q("0")?.kind, "bookTicker");
    for (const bad of ["-1", " 1", "1e3", "0x1"]) {
      throws(() => q(bad), SyntaxError, bad);
    }
  });
  await t.step("funding rates may be negative, nothing else", () => {
    const mark = (r: string) =>
      parseStreamMessage(JSON.stringify({
        stream: "btcusdt@markPrice@1s",
        data: {
          e: "markPriceUpdate",
          E: 1,
          s: "BTCUSDT",
          p: "60600",
          P: "60600",
          i: "60600",
          r,
          T: 2,
        },
      }));
    equal(mark("-0.00012")?.kind, "markPrice");
    for (const bad of ["--1", "- 1", "1e-4", " 0.1"]) {
      throws(() => mark(bad), SyntaxError, bad);
    }
  });
});

Deno.test("security: REST book prices use the same grammar", () => {
  const rest = (bidPrice: string) =>
    parseBookTicker({
      symbol: "BTCUSDT",
      bidPrice,
      bidQty: "1",
      askPrice: "60600.1",
      askQty: "1",
      time: 1,
    });
  equal(rest("60600").bidPrice, "60600");
  for (const p of BAD_PRICES) {
    throws(() => rest(p), SyntaxError, JSON.stringify(p));
  }
});

Deno.test("security: a failed signed request never logs its query (nonce, user, signer, signature)", async () => {
  const { RestTransport } = await import("./rest_transport.ts");
  const { V3Signer } = await import("./sign/v3_signer.ts");
  const { Secret } = await import("./sign/secret.ts");
  const { DEMO_AGENT_ADDRESS, DEMO_AGENT_KEY, DEMO_USER } = await import(
    "./sign/_testdata.ts"
  );
  const { inspect } = await import("node:util");
  let sentUrl = "";
  // what Deno's fetch reports for a refused connection: the full URL, in the message and
  // in the cause
  const failingFetch = (input: string | URL | Request): Promise<Response> => {
    sentUrl = String(input);
    return Promise.reject(
      new TypeError(`error sending request for url (${sentUrl})`, {
        cause: new Error(
          `client error (Connect) for ${sentUrl}: Connection refused`,
        ),
      }),
    );
  };
  const rest = new RestTransport({
    baseUrl: "http://127.0.0.1:9",
    fetch: failingFetch as typeof fetch,
    signer: new V3Signer({
      user: DEMO_USER,
      signer: DEMO_AGENT_ADDRESS,
      privateKey: new Secret(DEMO_AGENT_KEY),
      clock: () => 1_700_000_000_000,
    }),
    maxRetries: 0,
  });
  const error = await rest.request({
    method: "GET",
    path: "/fapi/v3/openOrders",
    params: [["symbol", "BTCUSDT"]],
    security: "USER_DATA",
  }).then(() => undefined, (e: unknown) => e);
  equal(error instanceof Error, true);
  equal(/signature=/.test(sentUrl), true, sentUrl);
  const signature = /signature=(0x[0-9a-f]+)/.exec(sentUrl)![1]!;
  const nonce = /nonce=(\d+)/.exec(sentUrl)![1]!;
  for (
    const text of [
      String(error),
      (error as Error).stack ?? "",
      inspect(error, { depth: 10 }),
      Deno.inspect(error, { depth: 10 }),
      JSON.stringify(error),
    ]
  ) {
    for (const leak of [signature, nonce, "signature=", "signer=", "user="]) {
      equal(text.includes(leak), false, `leaks ${leak}: ${text}`);
    }
  }
});
