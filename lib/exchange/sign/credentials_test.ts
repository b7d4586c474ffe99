import { deepEqual, equal, rejects } from "node:assert/strict";
import {
  CredentialError,
  loadCredentials,
  type V1Credentials,
  type V3Credentials,
} from "./credentials.ts";
import {
  DEMO_AGENT_ADDRESS,
  DEMO_AGENT_KEY,
  DEMO_USER,
  DEMO_V1_API_KEY,
  DEMO_V1_SECRET,
} from "./_testdata.ts";

function envOf(
  vars: Record<string, string>,
): (name: string) => string | undefined {
  return (name) => vars[name];
}

function filesOf(
  files: Record<string, string>,
): (path: string) => Promise<string> {
  return (path) => {
    const text = files[path];
    return text === undefined
      ? Promise.reject(new Deno.errors.NotFound(`No such file: ${path}`))
      : Promise.resolve(text);
  };
}

const NO_FILES = filesOf({});

/** Asserts a CredentialError whose message matches and holds none of the secrets. */
async function rejectsClean(
  promise: Promise<unknown>,
  pattern: RegExp,
): Promise<void> {
  await rejects(promise, (error: Error) => {
    equal(error instanceof CredentialError, true, String(error));
    equal(pattern.test(error.message), true, error.message);
    for (
      const secret of [
        DEMO_V1_API_KEY,
        DEMO_V1_SECRET,
        DEMO_AGENT_KEY,
        DEMO_AGENT_KEY.slice(2),
      ]
    ) {
      equal(error.message.includes(secret), false);
      equal(error.message.includes(secret.slice(0, 16)), false);
    }
    return true;
  });
}

Deno.test("loadCredentials() reads V1 credentials", async (t) => {
  await t.step(
    "ORDER_API_KEY / ORDER_SECRET_KEY name files, contents trimmed",
    async () => {
      const credentials = await loadCredentials({
        env: envOf({
          ORDER_API_KEY: "/keys/api",
          ORDER_SECRET_KEY: "/keys/secret",
        }),
        readTextFile: filesOf({
          "/keys/api": `${DEMO_V1_API_KEY}\n`,
          "/keys/secret": ` ${DEMO_V1_SECRET}\r\n`,
        }),
      }) as V1Credentials;
      equal(credentials.scheme, "v1");
      equal(credentials.apiKey.reveal(), DEMO_V1_API_KEY);
      equal(credentials.secretKey.reveal(), DEMO_V1_SECRET);
    },
  );
  await t.step("ASTER_API_KEY / ASTER_API_SECRET hold values", async () => {
    const credentials = await loadCredentials({
      env: envOf({
        ASTER_API_KEY: DEMO_V1_API_KEY,
        ASTER_API_SECRET: DEMO_V1_SECRET,
      }),
      readTextFile: NO_FILES,
    }) as V1Credentials;
    equal(credentials.secretKey.reveal(), DEMO_V1_SECRET);
  });
  await t.step(
    "value and file may be mixed across the two fields",
    async () => {
      const credentials = await loadCredentials({
        env: envOf({ ASTER_API_KEY: DEMO_V1_API_KEY, ORDER_SECRET_KEY: "/s" }),
        readTextFile: filesOf({ "/s": DEMO_V1_SECRET }),
      });
      equal(credentials.scheme, "v1");
    },
  );
  await t.step("real files through Deno.readTextFile", async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/api`, DEMO_V1_API_KEY + "\n");
      await Deno.writeTextFile(`${dir}/secret`, DEMO_V1_SECRET + "\n");
      const credentials = await loadCredentials({
        env: envOf({
          ORDER_API_KEY: `${dir}/api`,
          ORDER_SECRET_KEY: `${dir}/secret`,
        }),
        readTextFile: Deno.readTextFile,
      }) as V1Credentials;
      equal(credentials.apiKey.reveal(), DEMO_V1_API_KEY);
      await rejectsClean(
        loadCredentials({
          env: envOf({
            ORDER_API_KEY: `${dir}/api`,
            ORDER_SECRET_KEY: `${dir}/missing`,
          }),
          readTextFile: Deno.readTextFile,
        }),
        /cannot read the file named by ORDER_SECRET_KEY: NotFound/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("loadCredentials() rejects bad V1 configuration without echoing secrets", async (t) => {
  const cases: [
    string,
    Record<string, string>,
    Record<string, string>,
    RegExp,
  ][] = [
    ["nothing set", {}, {}, /none configured.*ASTER_USER.*ORDER_API_KEY/],
    [
      "secret missing",
      { ASTER_API_KEY: DEMO_V1_API_KEY },
      {},
      /set ASTER_API_SECRET \(value\) or ORDER_SECRET_KEY/,
    ],
    [
      "value and file both set",
      {
        ASTER_API_KEY: DEMO_V1_API_KEY,
        ORDER_API_KEY: "/a",
        ASTER_API_SECRET: DEMO_V1_SECRET,
      },
      {},
      /set only one of ASTER_API_KEY/,
    ],
    [
      "missing file",
      { ORDER_API_KEY: "/nope", ASTER_API_SECRET: DEMO_V1_SECRET },
      {},
      /file named by ORDER_API_KEY: NotFound$/,
    ],
    ["empty file", { ORDER_API_KEY: "/a", ASTER_API_SECRET: DEMO_V1_SECRET }, {
      "/a": "\n",
    }, /is empty/],
    [
      "short secret",
      {
        ASTER_API_KEY: DEMO_V1_API_KEY,
        ASTER_API_SECRET: DEMO_V1_SECRET.slice(1),
      },
      {},
      /secret key must be 64 hex characters \(got 63 characters\)/,
    ],
    [
      "non-hex API key",
      {
        ASTER_API_KEY: DEMO_V1_API_KEY.slice(1) + "g",
        ASTER_API_SECRET: DEMO_V1_SECRET,
      },
      {},
      /API key must be 64 hex characters \(got 64 characters, not all hex\)/,
    ],
    [
      "key equals secret",
      { ASTER_API_KEY: DEMO_V1_SECRET, ASTER_API_SECRET: DEMO_V1_SECRET },
      {},
      /identical/,
    ],
    [
      "both schemes configured",
      {
        ASTER_API_KEY: DEMO_V1_API_KEY,
        ASTER_API_SECRET: DEMO_V1_SECRET,
        ASTER_USER: DEMO_USER,
      },
      {},
      /both V1 and V3/,
    ],
  ];
  for (const [name, vars, files, pattern] of cases) {
    await t.step(
      name,
      () =>
        rejectsClean(
          loadCredentials({ env: envOf(vars), readTextFile: filesOf(files) }),
          pattern,
        ),
    );
  }
  await t.step(
    "a forced scheme ignores the other scheme's variables",
    async () => {
      const credentials = await loadCredentials({
        env: envOf({
          ASTER_API_KEY: DEMO_V1_API_KEY,
          ASTER_API_SECRET: DEMO_V1_SECRET,
          ASTER_USER: DEMO_USER,
        }),
        readTextFile: NO_FILES,
        scheme: "v1",
      });
      equal(credentials.scheme, "v1");
    },
  );
});

Deno.test("loadCredentials() reads V3 credentials", async (t) => {
  const base = { ASTER_USER: DEMO_USER, ASTER_SIGNER: DEMO_AGENT_ADDRESS };
  await t.step("key from ASTER_AGENT_KEY_FILE", async () => {
    const credentials = await loadCredentials({
      env: envOf({ ...base, ASTER_AGENT_KEY_FILE: "/agent" }),
      readTextFile: filesOf({ "/agent": DEMO_AGENT_KEY + "\n" }),
    }) as V3Credentials;
    deepEqual(
      {
        scheme: credentials.scheme,
        user: credentials.user,
        signer: credentials.signer,
      },
      { scheme: "v3", user: DEMO_USER, signer: DEMO_AGENT_ADDRESS },
    );
    equal(credentials.privateKey.reveal(), DEMO_AGENT_KEY);
  });
  await t.step(
    "key from ASTER_AGENT_KEY, lowercase signer, key without 0x",
    async () => {
      const credentials = await loadCredentials({
        env: envOf({
          ...base,
          ASTER_SIGNER: DEMO_AGENT_ADDRESS.toLowerCase(),
          ASTER_AGENT_KEY: DEMO_AGENT_KEY.slice(2),
        }),
        readTextFile: NO_FILES,
      });
      equal(credentials.scheme, "v3");
    },
  );
});

Deno.test("loadCredentials() rejects bad V3 configuration without echoing the key", async (t) => {
  const base = {
    ASTER_USER: DEMO_USER,
    ASTER_SIGNER: DEMO_AGENT_ADDRESS,
    ASTER_AGENT_KEY: DEMO_AGENT_KEY,
  };
  const otherKey = "0x" + "11".repeat(32);
  const cases: [string, Record<string, string>, RegExp][] = [
    ["user missing", { ...base, ASTER_USER: "" }, /ASTER_USER is not set/],
    ["signer missing", {
      ASTER_USER: DEMO_USER,
      ASTER_AGENT_KEY: DEMO_AGENT_KEY,
    }, /ASTER_SIGNER is not set/],
    [
      "key missing",
      { ASTER_USER: DEMO_USER, ASTER_SIGNER: DEMO_AGENT_ADDRESS },
      /set ASTER_AGENT_KEY \(value\) or ASTER_AGENT_KEY_FILE/,
    ],
    [
      "short user address",
      { ...base, ASTER_USER: DEMO_USER.slice(0, -1) },
      /user address .* is not 0x followed by 40 hex/,
    ],
    ["bad signer checksum", {
      ...base,
      ASTER_SIGNER: DEMO_AGENT_ADDRESS.replace("cF8", "Cf8"),
    }, /signer address .*valid checksum/],
    [
      "short key",
      { ...base, ASTER_AGENT_KEY: DEMO_AGENT_KEY.slice(0, -2) },
      /64 hex digits \(got 64 characters\)/,
    ],
    [
      "zero key",
      { ...base, ASTER_AGENT_KEY: "0x" + "0".repeat(64) },
      /not a valid secp256k1 key/,
    ],
    [
      "key of another agent",
      { ...base, ASTER_AGENT_KEY: otherKey },
      /belongs to 0x[0-9a-fA-F]{40}, not to the signer 0x21cF8Ae1/,
    ],
  ];
  for (const [name, vars, pattern] of cases) {
    await t.step(name, async () => {
      await rejectsClean(
        loadCredentials({ env: envOf(vars), readTextFile: NO_FILES }),
        pattern,
      );
      await rejects(
        loadCredentials({ env: envOf(vars), readTextFile: NO_FILES }),
        (error: Error) => !error.message.includes(otherKey.slice(2, 18)),
      );
    });
  }
});
