/**
 * Security (issue 18): a full-length secret put in any credential variable never appears in
 * the error, and a key put where a path or an address belongs is named as such (item 2); a
 * bad server time cannot move the clock or the V3 nonce (item 6); key files others can
 * read are refused (item 8).
 */
import { equal, match, rejects, throws } from "node:assert/strict";
import {
  CredentialError,
  keyFileProblem,
  loadCredentials,
  looksLikeKey,
} from "./credentials.ts";
import {
  assertNoSecret,
  FULL_SECRETS,
  MISPLACED_SECRETS,
} from "./_secret_cases.ts";
import { DEMO_AGENT_ADDRESS, DEMO_USER } from "./_testdata.ts";

Deno.test("security: credential errors never print a credential variable's value", async (t) => {
  for (const c of MISPLACED_SECRETS) {
    await t.step(c.name, async () => {
      let message = "";
      await rejects(
        loadCredentials({
          env: (name) => c.env[name],
          readTextFile: () =>
            Promise.reject(new Deno.errors.NotFound("No such file")),
        }),
        (error: unknown) => {
          equal(error instanceof CredentialError, true, String(error));
          message = `${(error as Error).message} ${(error as Error).stack}`;
          return true;
        },
      );
      assertNoSecret(c.name, message);
      match(message, c.says);
    });
  }
});

Deno.test("security: looksLikeKey tells keys from paths and addresses", () => {
  for (const key of FULL_SECRETS) equal(looksLikeKey(key), true, key);
  equal(looksLikeKey(btoa("x".repeat(32))), true);
  for (
    const notKey of [
      "/run/aster/secrets/order_api_key",
      "./secrets/key.txt",
      "agent.key",
      DEMO_USER,
      DEMO_AGENT_ADDRESS.toLowerCase(),
    ]
  ) equal(looksLikeKey(notKey), false, notKey);
});

Deno.test("security: one bad /time answer cannot move the clock or push the V3 nonce away", async (t) => {
  const { TimeSync } = await import("./time_sync.ts");
  const { NonceCounter } = await import("./nonce.ts");
  const timers = {
    setTimeout: () => 0,
    clearTimeout: () => {},
  };
  let local = 1_700_000_000_000;
  let answer = (): number => local + 20;
  const sync = new TimeSync({
    serverTime: () => Promise.resolve(answer()),
    clock: () => local,
    samples: 1,
    timers,
  });
  await sync.start();
  await t.step(
    "a year-ahead answer is refused and the offset kept",
    async () => {
      answer = () => local + 365 * 86_400_000;
      await rejects(sync.resync(), /offset \d+ ms exceeds 5000 ms/);
      equal(Math.round(sync.offsetMs), 20);
    },
  );
  await t.step(
    "a single 3 s jump is held back; a confirmed one is taken",
    async () => {
      answer = () => local + 3_020;
      await rejects(sync.resync(), /moved 3000 ms at once/);
      equal(Math.round(sync.offsetMs), 20);
      local += 1000;
      await sync.resync();
      equal(Math.round(sync.offsetMs), 3_020);
    },
  );
  await t.step(
    "an unconfirmed jump followed by a sane sample is forgotten",
    async () => {
      answer = () => local - 2_000;
      await rejects(sync.resync(), /at once/);
      answer = () => local + 3_100;
      await sync.resync();
      equal(Math.round(sync.offsetMs), 3_100);
    },
  );
  sync.stop();
  await t.step("the nonce never leaves the local clock's neighbourhood", () => {
    const nonces = new NonceCounter();
    const now = 1_700_000_000_000;
    equal(nonces.next(now + 2_000, now), (now + 2_000) * 1000);
    throws(
      () => nonces.next(now + 365 * 86_400_000, now),
      /from the local clock/,
    );
    // nothing was issued: the next sane request still gets a nonce
    equal(nonces.next(now + 2_001, now), (now + 2_001) * 1000);
  });
});

Deno.test("security: key files readable by others, or owned by another user, are refused", async (t) => {
  await t.step("keyFileProblem", () => {
    equal(keyFileProblem({ mode: 0o100600, uid: 1000 }, 1000), undefined);
    equal(keyFileProblem({ mode: 0o100400, uid: 1000 }, 1000), undefined);
    match(
      keyFileProblem({ mode: 0o100644, uid: 1000 }, 1000)!,
      /mode 644\): run chmod 600/,
    );
    match(
      keyFileProblem({ mode: 0o100660, uid: 1000 }, 1000)!,
      /group or others/,
    );
    match(
      keyFileProblem({ mode: 0o100600, uid: 0 }, 1000)!,
      /owned by uid 0, not .*uid 1000/,
    );
    equal(keyFileProblem({ mode: null, uid: null }, 1000), undefined);
  });
  await t.step("through loadCredentials with real files", async () => {
    const dir = await Deno.makeTempDir({ prefix: "keyfile" });
    try {
      const path = `${dir}/agent.key`;
      await Deno.writeTextFile(path, FULL_SECRETS[2]!, { mode: 0o600 });
      const load = (uid: number) =>
        loadCredentials({
          env: (name) =>
            ({
              ASTER_USER: DEMO_USER,
              ASTER_SIGNER: DEMO_AGENT_ADDRESS,
              ASTER_AGENT_KEY_FILE: path,
            })[name],
          readTextFile: (p) => Deno.readTextFile(p),
          statFile: (p) => Deno.stat(p),
          uid: () => uid,
        });
      const own = (await Deno.stat(path)).uid!;
      equal((await load(own)).scheme, "v3");
      await rejects(load(own + 1), /ASTER_AGENT_KEY_FILE is owned by uid/);
      await Deno.chmod(path, 0o640);
      await rejects(load(own), (e: Error) => {
        match(
          e.message,
          /ASTER_AGENT_KEY_FILE is accessible to group or others \(mode 640\)/,
        );
        assertNoSecret("key file mode", e.message);
        return true;
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("security: systemd credentials are exempt from the owner check, nothing else", async () => {
  const { isSystemdCredential } = await import("./credentials.ts");
  equal(
    isSystemdCredential("/run/credentials/aster.service/aster_agent_key"),
    true,
  );
  for (
    const p of [
      "/run/credentials/../tmp/key",
      "/run/credentials/aster.service/../x",
      "/run/credentials/aster.service/sub/key",
      "/run/aster/secrets/agent_key",
      "run/credentials/aster.service/k",
    ]
  ) equal(isSystemdCredential(p), false, p);
});
