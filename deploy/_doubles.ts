// Test doubles for the deploy scripts: fake useradd/id/systemctl/timedatectl/apt-get/gcloud
// in a bin directory put first on PATH, each appending its argv to $DOUBLE_LOG. State lives
// in $DOUBLE_STATE (a directory), so a second run sees what the first one did.

/** The uid/gid the fake `id` reports for the service user. */
export const FAKE_UID = 4242;

const SCRIPTS: Record<string, string> = {
  useradd: `echo "useradd $*" >>"$DOUBLE_LOG"; touch "$DOUBLE_STATE/user"`,
  id: `echo "id $*" >>"$DOUBLE_LOG"
if [ "$#" -eq 1 ]; then exec /usr/bin/id "$@"; fi
[ -f "$DOUBLE_STATE/user" ] || { echo "id: no such user" >&2; exit 1; }
echo ${FAKE_UID}`,
  systemctl: `echo "systemctl $*" >>"$DOUBLE_LOG"
case "$1" in
  is-active) exit 3 ;;
  list-unit-files) exit 0 ;;
  is-enabled) [ -f "$DOUBLE_STATE/enabled" ] ;;
  enable) touch "$DOUBLE_STATE/enabled" ;;
  *) exit 0 ;;
esac`,
  timedatectl: `echo "timedatectl $*" >>"$DOUBLE_LOG"
case "$1" in
  show) if [ -f "$DOUBLE_STATE/ntp" ]; then echo yes; else echo no; fi ;;
  set-ntp) touch "$DOUBLE_STATE/ntp" ;;
esac`,
  "apt-get": `echo "apt-get $*" >>"$DOUBLE_LOG"`,
  gcloud: `echo "gcloud $*" >>"$DOUBLE_LOG"
for a in "$@"; do case "$a" in --secret=*) name="\${a#--secret=}" ;; esac; done
[ -f "$GCLOUD_SECRETS/$name" ] || { echo "NOT_FOUND: $name" >&2; exit 1; }
cat "$GCLOUD_SECRETS/$name"`,
};

/** A scratch directory with the doubles, a log, state, and a root to install into. */
export interface Scratch {
  readonly dir: string;
  readonly root: string;
  readonly bin: string;
  readonly log: string;
  readonly secrets: string;
  /** Environment for running a script against the scratch root. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** The doubles' log lines so far, then clears it. */
  takeLog(): Promise<string[]>;
}

/** Creates the scratch directory and doubles. */
export async function makeScratch(): Promise<Scratch> {
  const dir = await Deno.makeTempDir({ prefix: "aster_deploy" });
  const bin = `${dir}/bin`;
  const root = `${dir}/root`;
  const state = `${dir}/state`;
  const secrets = `${dir}/gcloud`;
  for (const d of [bin, root, state, secrets]) await Deno.mkdir(d);
  const log = `${dir}/calls.log`;
  await Deno.writeTextFile(log, "");
  for (const [name, body] of Object.entries(SCRIPTS)) {
    await Deno.writeTextFile(`${bin}/${name}`, `#!/bin/sh\n${body}\n`, {
      mode: 0o755,
    });
  }
  return {
    dir,
    root,
    bin,
    log,
    secrets,
    env(extra = {}) {
      return {
        // The doubles first: a real /usr/bin/gcloud exists on some machines.
        PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`,
        ROOT: root,
        DOUBLE_LOG: log,
        DOUBLE_STATE: state,
        GCLOUD_SECRETS: secrets,
        ...extra,
      };
    },
    async takeLog() {
      const text = await Deno.readTextFile(log);
      await Deno.writeTextFile(log, "");
      return text.split("\n").filter((l) => l !== "");
    },
  };
}

/** Runs a bash script with `env` only (no inherited environment). */
export async function runScript(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command("bash", {
    args: [script],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: r.code, out: d.decode(r.stdout), err: d.decode(r.stderr) };
}

/** Path → "mode uid:gid size mtime sha" for every entry under `root`. */
export async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(dir: string): Promise<void> {
    for await (const e of Deno.readDir(dir)) {
      const path = `${dir}/${e.name}`;
      const st = await Deno.lstat(path);
      let digest = "";
      if (st.isFile) {
        const bytes = await Deno.readFile(path);
        const hash = await crypto.subtle.digest("SHA-256", bytes);
        digest = Array.from(
          new Uint8Array(hash),
          (b) => b.toString(16).padStart(2, "0"),
        ).join("");
      }
      out.set(
        path.slice(root.length),
        `${
          (st.mode! & 0o7777).toString(8)
        } ${st.uid}:${st.gid} ${st.mtime?.getTime()} ${digest}`,
      );
      if (st.isDirectory) await walk(path);
    }
  }
  await walk(root);
  return out;
}

/** The octal mode and owner of `path`. */
export async function modeOf(path: string): Promise<string> {
  const st = await Deno.lstat(path);
  return `${(st.mode! & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
}

/** Whether this process runs as root (from `id -u`: Deno.uid() needs --allow-sys). */
export async function isRoot(): Promise<boolean> {
  const r = await new Deno.Command("id", { args: ["-u"], stdout: "piped" })
    .output();
  return new TextDecoder().decode(r.stdout).trim() === "0";
}

/** Prints why a test step is skipped (tests may not use console.*). */
export function skipNote(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`SKIP: ${text}\n`));
}
