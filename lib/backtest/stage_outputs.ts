/**
 * Moving a finished run's outputs into place, for either model: a run writes everything into
 * a staging directory inside `--out` and moves it in at the end, so a failed run leaves the
 * previous outputs untouched, and a finished run leaves none of an earlier run's outputs that
 * it did not write itself (an earlier `pbo.json`, walk-forward files, `top/` curves or
 * `report.html` would describe another run).
 *
 * @module
 */

/**
 * Outputs a run may or may not write: removed from `out` when the new run did not write
 * them. (`ranked.csv`, `ranked.json` and `manifest.json` are always written.)
 */
export const OPTIONAL_OUTPUTS: readonly string[] = [
  "top",
  "pbo.json",
  "walk_forward.json",
  "walk_forward.csv",
  "walk_forward_equity.csv",
  "report.html",
];

/** A fresh staging directory inside `out` (created, with `out`). */
export async function stageDir(out: string): Promise<string> {
  await Deno.mkdir(out, { recursive: true });
  return await Deno.makeTempDir({ dir: out, prefix: ".backtest-" });
}

/**
 * Moves a finished run's outputs from `stage` into `out`: first the previous run's optional
 * outputs are removed (whether or not this run replaces them: `top/` holds other configs'
 * curves), then every staged entry is renamed into place, `manifest.json` last.
 */
export async function moveOutputs(stage: string, out: string): Promise<void> {
  const names: string[] = [];
  for await (const e of Deno.readDir(stage)) names.push(e.name);
  names.sort((a, b) =>
    Number(a === "manifest.json") - Number(b === "manifest.json")
  );
  for (const name of OPTIONAL_OUTPUTS) {
    await Deno.remove(`${out}/${name}`, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
  for (const name of names) {
    await Deno.rename(`${stage}/${name}`, `${out}/${name}`);
  }
}

/**
 * Ends a staged run: writes `manifest.json` into `stage` (listed in `files`) and moves
 * everything into `out` ({@linkcode moveOutputs}).
 */
export async function finishStage(
  stage: string,
  out: string,
  manifest: Record<string, unknown>,
  files: string[],
): Promise<void> {
  await Deno.writeTextFile(
    `${stage}/manifest.json`,
    JSON.stringify(manifest, null, 2),
  );
  files.push("manifest.json");
  await moveOutputs(stage, out);
}
