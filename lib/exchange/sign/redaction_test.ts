import { equal } from "node:assert/strict";
import { inspect } from "node:util";
import { configure, getLogger, type LogRecord, reset } from "@logtape/logtape";
import { createSigner } from "./create_signer.ts";
import { loadCredentials } from "./credentials.ts";
import { NonceCounter } from "./nonce.ts";
import { Secret } from "./secret.ts";
import {
  DEMO_AGENT_ADDRESS,
  DEMO_AGENT_KEY,
  DEMO_USER,
  DEMO_V1_API_KEY,
  DEMO_V1_SECRET,
} from "./_testdata.ts";

const SECRETS = [DEMO_V1_API_KEY, DEMO_V1_SECRET, DEMO_AGENT_KEY.slice(2)];

/** Every way a value might be printed by accident. */
function renderings(value: unknown): string[] {
  return [
    String(value),
    `${value}`,
    JSON.stringify(value) ?? "",
    JSON.stringify({ nested: { value } }),
    Deno.inspect(value, { depth: 10, showHidden: true }),
    Deno.inspect({ nested: [value] }, { depth: 10 }),
    inspect(value, { depth: 10, showHidden: true }),
    ...(value instanceof Error
      ? [`${value.stack} ${String(value.cause)}`]
      : []),
  ];
}

function assertClean(label: string, texts: string[]): void {
  for (const text of texts) {
    for (const secret of SECRETS) {
      // Look for any 12-character window of the secret, in either case.
      for (let i = 0; i + 12 <= secret.length; i += 4) {
        const piece = secret.slice(i, i + 12).toLowerCase();
        equal(
          text.toLowerCase().includes(piece),
          false,
          `${label} leaks part of a secret: ${text}`,
        );
      }
    }
  }
}

Deno.test("Secret never prints its value", async (t) => {
  await t.step("all renderings say [redacted]", () => {
    const secret = new Secret(DEMO_V1_SECRET);
    for (const text of renderings(secret)) {
      equal(text.includes("[redacted]"), true, text);
    }
    assertClean("Secret", renderings(secret));
    equal(secret.reveal(), DEMO_V1_SECRET);
    equal(secret.length, 64);
  });
});

Deno.test("Credentials, signers, errors and signed requests contain no secret bytes", async (t) => {
  const v1 = await loadCredentials({
    env: (name) =>
      ({ ASTER_API_KEY: DEMO_V1_API_KEY, ASTER_API_SECRET: DEMO_V1_SECRET })[
        name
      ],
    readTextFile: () => Promise.reject(new Error("unused")),
  });
  const v3 = await loadCredentials({
    env: (name) =>
      ({
        ASTER_USER: DEMO_USER,
        ASTER_SIGNER: DEMO_AGENT_ADDRESS,
        ASTER_AGENT_KEY: DEMO_AGENT_KEY,
      })[name],
    readTextFile: () => Promise.reject(new Error("unused")),
  });
  const clock = (): number => 1_700_000_000_000;
  const signers = [
    createSigner(v1, { clock }),
    createSigner(v3, { clock, nonces: new NonceCounter() }),
  ];

  await t.step("logging the credential objects", () => {
    assertClean("V1 credentials", renderings(v1));
    assertClean("V3 credentials", renderings(v3));
  });
  await t.step("printing the signers", () => {
    for (const signer of signers) {
      assertClean(`${signer.scheme} signer`, renderings(signer));
    }
  });
  await t.step("describing signed requests (API-key header redacted)", () => {
    for (const signer of signers) {
      const request = signer.sign({
        method: "POST",
        security: "TRADE",
        params: { symbol: "BTCUSDT" },
      });
      assertClean("signed request", renderings(request));
      assertClean("signed request description", [
        JSON.stringify(request.describe()),
      ]);
    }
  });
  await t.step("errors from bad credentials", async () => {
    const bad: Record<string, string>[] = [
      {
        ASTER_API_KEY: DEMO_V1_API_KEY,
        ASTER_API_SECRET: DEMO_V1_SECRET + "0",
      },
      {
        ASTER_API_KEY: DEMO_V1_API_KEY + "x",
        ASTER_API_SECRET: DEMO_V1_SECRET,
      },
      { ASTER_API_KEY: DEMO_V1_SECRET, ASTER_API_SECRET: DEMO_V1_SECRET },
      {
        ASTER_USER: DEMO_USER,
        ASTER_SIGNER: DEMO_USER,
        ASTER_AGENT_KEY: DEMO_AGENT_KEY,
      },
      {
        ASTER_USER: DEMO_USER,
        ASTER_SIGNER: DEMO_AGENT_ADDRESS,
        ASTER_AGENT_KEY: DEMO_AGENT_KEY + "ff",
      },
      {
        ASTER_USER: DEMO_USER,
        ASTER_SIGNER: DEMO_AGENT_ADDRESS,
        ASTER_AGENT_KEY_FILE: DEMO_AGENT_KEY,
      },
    ];
    for (const vars of bad) {
      const error = await loadCredentials({
        env: (name) => vars[name],
        readTextFile: () => Promise.reject(new Deno.errors.NotFound("missing")),
      }).then(() => undefined, (caught: unknown) => caught);
      equal(error instanceof Error, true, JSON.stringify(Object.keys(vars)));
      assertClean("credential error", renderings(error));
    }
  });
  await t.step("through a LogTape sink", async () => {
    const records: LogRecord[] = [];
    await configure({
      sinks: { memory: (record) => records.push(record) },
      loggers: [
        { category: ["logtape", "meta"], lowestLevel: "warning", sinks: [] },
        { category: ["aster"], lowestLevel: "debug", sinks: ["memory"] },
      ],
      reset: true,
    });
    try {
      const log = getLogger(["aster", "test"]);
      log.info("Loaded {credentials} and signed {request}", {
        credentials: v1,
        request: signers[0]!.sign({
          method: "GET",
          security: "USER_DATA",
          params: [],
        }),
      });
      log.info("Loaded {credentials}", { credentials: v3 });
      equal(records.length, 2);
      assertClean(
        "log records",
        records.flatMap((
          record,
        ) => [
          JSON.stringify(record.properties),
          Deno.inspect(record.properties, { depth: 10 }),
        ]),
      );
    } finally {
      await reset();
    }
  });
});
