/**
 * Writing the honest-ranking outputs of a run, for either model: `pbo.json` (when PBO ran)
 * and `walk_forward.json`, `walk_forward.csv`, `walk_forward_equity.csv` (with a
 * walk-forward), and the manifest's `files` entries naming them.
 *
 * @module
 */
import type {
  CscvResult,
  DayBlocks,
  WalkForwardSpec,
} from "../research/mod.ts";
import type { ConfigTable } from "./grid.ts";
import type { Deflation } from "./honest_rank.ts";
import { writeLines } from "./outputs.ts";
import { pboJson } from "./pbo_output.ts";
import type { WalkForwardSymbol } from "./walk_forward.ts";
import {
  walkForwardCsvLines,
  walkForwardEquityLines,
  walkForwardJson,
} from "./walk_forward_output.ts";

/** What {@linkcode writeHonestOutputs} writes. */
export interface HonestOutputs {
  /** PBO per ranking scope (empty: no `pbo.json`). */
  readonly pbo: ReadonlyMap<string, CscvResult>;
  /** The PBO's blocks (none: no `pbo.json`). */
  readonly blocks?: DayBlocks | undefined;
  /** The ranking scopes (for the eligible counts). */
  readonly scopes: readonly {
    readonly scope: string;
    readonly deflation?: Deflation;
  }[];
  /** The selection rule. */
  readonly rule: string;
  /** How PBO scored the halves. */
  readonly score: { readonly annualised: boolean; readonly text: string };
  /** The walk-forward's results and design (none: no walk-forward files). */
  readonly walkForward?: {
    readonly spec: WalkForwardSpec;
    readonly results: readonly WalkForwardSymbol[];
    /** Extra keys of `walk_forward.json` (rank_by, rule, notes, ...). */
    readonly meta: Record<string, unknown>;
    /** The model's grid parameter names. */
    readonly names?: readonly string[];
  };
  /** The configs. */
  readonly configs: ConfigTable;
}

/**
 * Writes the files into the directory `path` resolves names in.
 *
 * @returns the names written
 */
export async function writeHonestOutputs(
  path: (name: string) => string,
  o: HonestOutputs,
): Promise<string[]> {
  const files: string[] = [];
  if (o.blocks !== undefined && o.pbo.size > 0) {
    await Deno.writeTextFile(
      path("pbo.json"),
      JSON.stringify(
        pboJson(o.pbo, o.blocks, o.scopes, o.rule, o.score),
        null,
        2,
      ),
    );
    files.push("pbo.json");
  }
  const wf = o.walkForward;
  if (wf !== undefined) {
    await Deno.writeTextFile(
      path("walk_forward.json"),
      JSON.stringify(
        walkForwardJson(wf.spec, wf.results, o.configs, wf.meta, wf.names),
        null,
        2,
      ),
    );
    await writeLines(
      path("walk_forward.csv"),
      walkForwardCsvLines(wf.results, o.configs, wf.names),
    );
    await writeLines(
      path("walk_forward_equity.csv"),
      walkForwardEquityLines(wf.results),
    );
    files.push(
      "walk_forward.json",
      "walk_forward.csv",
      "walk_forward_equity.csv",
    );
  }
  return files;
}

/** The manifest's `files` entries of what {@linkcode writeHonestOutputs} wrote. */
export function honestManifestFiles(
  written: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  if (written.includes("pbo.json")) out["pbo_json"] = "pbo.json";
  if (written.includes("walk_forward.json")) {
    out["walk_forward_json"] = "walk_forward.json";
    out["walk_forward_csv"] = "walk_forward.csv";
    out["walk_forward_equity_csv"] = "walk_forward_equity.csv";
  }
  return out;
}

/** The manifest's `pbo` entry: the blocks, or why PBO was skipped ("off" when it was). */
export function pboManifest(
  blocks: DayBlocks | undefined,
  pbo: ReadonlyMap<string, CscvResult>,
  skipped: string | undefined,
): Record<string, unknown> {
  return blocks !== undefined && pbo.size > 0
    ? { blocks: blocks.count, "days_per_block": blocks.daysPerBlock }
    : { skipped: skipped ?? "off" };
}
