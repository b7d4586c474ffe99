import { deepEqual, equal, match, ok } from "node:assert/strict";
import { parseFlags } from "../../lib/cli/mod.ts";
import { SPECS as BACKTEST_FLAGS } from "../../backtest/backtest.ts";
import { SPECS as MERGE_FLAGS } from "../../backtest/merge.ts";
import {
  featureTableCsvLines,
  syntheticTable,
} from "../../lib/backtest/mod.ts";

const DIR = new URL(".", import.meta.url).pathname;
const ROOT = new URL("../..", import.meta.url).pathname;

// deno-lint-ignore no-explicit-any
type Json = any;

async function json(name: string): Promise<Record<string, Json>> {
  return JSON.parse(await Deno.readTextFile(`${DIR}${name}`));
}

/** The command words of a one-line shell script (its second line, after `set -eu`). */
function scriptWords(text: string): string[] {
  const lines = text.trim().split("\n");
  equal(lines[0], "set -eu");
  equal(lines.length, 2, "one command per script");
  return lines[1]!.trim().split(/\s+/);
}

/** Checks every `--flag` is a flag of `specs` and the words parse as the binary parses them. */
function checkFlags(words: string[], specs: Record<string, unknown>): void {
  for (const w of words) {
    if (w.startsWith("--")) {
      ok(w.slice(2) in specs, `${w} is not a flag of the binary`);
    }
  }
}

Deno.test("Cloud Batch: the shard job runs aster-backtest --shard ${BATCH_TASK_INDEX}/${BATCH_TASK_COUNT} over the bucket", async () => {
  const job = await json("cloud_batch_shards.json");
  const group = job.taskGroups[0];
  ok(Number.isInteger(group.taskCount) && group.taskCount >= 1);
  const spec = group.taskSpec;
  const mount = spec.volumes[0].mountPath as string;
  ok(typeof spec.volumes[0].gcs.remotePath === "string");
  ok(spec.maxRetryCount >= 1, "a failed shard is retried alone");
  const words = scriptWords(spec.runnables[0].script.text);
  equal(words[0], `${mount}/bin/aster-backtest`);
  const args = words.slice(1);
  checkFlags(args, BACKTEST_FLAGS);
  equal(
    args[args.indexOf("--shard") + 1],
    "${BATCH_TASK_INDEX}/${BATCH_TASK_COUNT}",
  );
  equal(
    args[args.indexOf("--out_dir") + 1],
    `${mount}/shards/\${BATCH_TASK_INDEX}`,
  );
  for (const w of args) {
    if (w.startsWith("/")) {
      ok(w.startsWith(`${mount}/`), `${w} is outside the bucket`);
    }
  }
  // As the task sees it: the variables filled in, the binary's own flag parser accepts it.
  const flags = parseFlags(
    args.map((w) =>
      w.replaceAll("${BATCH_TASK_INDEX}", "3").replaceAll(
        "${BATCH_TASK_COUNT}",
        String(group.taskCount),
      )
    ),
    BACKTEST_FLAGS,
  );
  equal(flags.shard, `3/${group.taskCount}`);

  const merge = await json("cloud_batch_merge.json");
  equal(merge.taskGroups[0].taskCount, 1);
  const mspec = merge.taskGroups[0].taskSpec;
  deepEqual(mspec.volumes, spec.volumes, "the merge mounts the same bucket");
  const mwords = scriptWords(mspec.runnables[0].script.text);
  equal(mwords[0], `${mount}/bin/aster-merge`);
  checkFlags(mwords.slice(1), MERGE_FLAGS);
  equal(mwords[mwords.indexOf("--in") + 1], `${mount}/shards/*`);
});

Deno.test("Kubernetes: an Indexed Job runs aster-backtest --shard $(JOB_COMPLETION_INDEX)/completions", async () => {
  const job = await json("k8s_indexed_job.json");
  equal(job.apiVersion, "batch/v1");
  equal(job.kind, "Job");
  equal(job.spec.completionMode, "Indexed");
  const n = job.spec.completions as number;
  ok(Number.isInteger(n) && n >= 1);
  ok(job.spec.parallelism >= 1 && job.spec.parallelism <= n);
  const pod = job.spec.template.spec;
  equal(pod.restartPolicy, "Never");
  const c = pod.containers[0];
  const mount = c.volumeMounts[0].mountPath as string;
  equal(pod.volumes[0].name, c.volumeMounts[0].name);
  deepEqual(c.command, [`${mount}/bin/aster-backtest`]);
  const args = c.args as string[];
  checkFlags(args, BACKTEST_FLAGS);
  equal(args[args.indexOf("--shard") + 1], `$(JOB_COMPLETION_INDEX)/${n}`);
  equal(
    args[args.indexOf("--out_dir") + 1],
    `${mount}/shards/$(JOB_COMPLETION_INDEX)`,
  );
  const flags = parseFlags(
    args.map((w) => w.replaceAll("$(JOB_COMPLETION_INDEX)", String(n - 1))),
    BACKTEST_FLAGS,
  );
  equal(flags.shard, `${n - 1}/${n}`);

  const merge = await json("k8s_merge_job.json");
  equal(merge.spec.completions, 1);
  const mc = merge.spec.template.spec.containers[0];
  deepEqual(merge.spec.template.spec.volumes, pod.volumes);
  deepEqual(mc.command, ["/bin/sh", "-c"]);
  const mwords = (mc.args[0] as string).split(/\s+/);
  equal(mwords[0], "exec");
  equal(mwords[1], `${mount}/bin/aster-merge`);
  checkFlags(mwords.slice(2), MERGE_FLAGS);
  equal(mwords[mwords.indexOf("--in") + 1], `${mount}/shards/*`);
});

Deno.test("Cloud Batch scripts, run locally over a directory as the bucket, give the single run's ranking", async () => {
  const bucket = await Deno.makeTempDir({ prefix: "batch_test_" });
  try {
    const table = syntheticTable({ bars: 2000, symbols: ["AAA", "BBB"] });
    await Deno.writeTextFile(
      `${bucket}/features.csv`,
      [...featureTableCsvLines(table)].join("\n") + "\n",
    );
    await Deno.writeTextFile(
      `${bucket}/grid.json`,
      JSON.stringify({
        k: [1, 2],
        n: [1],
        T: [10, 30],
        V: [30],
        sl_stop: [null, 0.005],
        tp_stop: [0.01],
      }),
    );
    // The binaries, as wrappers around the sources they are compiled from.
    await Deno.mkdir(`${bucket}/bin`);
    for (
      const [name, src] of [["aster-backtest", "backtest/backtest.ts"], [
        "aster-merge",
        "backtest/merge.ts",
      ]]
    ) {
      const path = `${bucket}/bin/${name}`;
      await Deno.writeTextFile(
        path,
        `#!/bin/sh\nexec "${Deno.execPath()}" run --allow-read --allow-write --allow-env "${ROOT}${src}" "$@"\n`,
      );
      await Deno.chmod(path, 0o755);
    }
    const shards = await json("cloud_batch_shards.json");
    const mount = shards.taskGroups[0].taskSpec.volumes[0].mountPath as string;
    const script = (job: Record<string, Json>) =>
      (job.taskGroups[0].taskSpec.runnables[0].script.text as string)
        .replaceAll(mount, bucket);
    const bash = (text: string, env: Record<string, string>) =>
      new Deno.Command("bash", {
        args: ["-c", text],
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
    const count = 3; // BATCH_TASK_COUNT as Batch sets it (the file's taskCount is the user's choice)
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        bash(script(shards), {
          "BATCH_TASK_INDEX": String(i),
          "BATCH_TASK_COUNT": String(count),
        })),
    );
    for (const r of results) {
      equal(r.code, 0, new TextDecoder().decode(r.stderr));
    }
    const merged = await bash(script(await json("cloud_batch_merge.json")), {});
    equal(merged.code, 0, new TextDecoder().decode(merged.stderr));
    match(new TextDecoder().decode(merged.stdout), /ALL: \d+ of 16 configs/);
    // The single run of the same command line, without --shard.
    const words = scriptWords(script(shards)).map((w) =>
      w.includes("${BATCH_TASK_INDEX}") ? `${bucket}/single` : w
    );
    const cut = words.indexOf("--shard");
    const single = await bash(
      words.filter((_, i) => i !== cut && i !== cut + 1).join(" "),
      {},
    );
    equal(single.code, 0, new TextDecoder().decode(single.stderr));
    equal(
      await Deno.readTextFile(`${bucket}/out/ranked.csv`),
      await Deno.readTextFile(`${bucket}/single/ranked.csv`),
    );
  } finally {
    await Deno.remove(bucket, { recursive: true });
  }
});
