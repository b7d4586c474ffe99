/**
 * Web Worker entry of the bot engine's pool (`new GridPool(n, "bot")`), speaking the grid
 * pool's protocol (`runPoolTasks`): `init` brings the symbols' features (shared memory when
 * available), the market recipe, the configs, the costs and the PBO's blocks; the worker
 * builds the markets once per `init` and answers each `task` with its rows.
 *
 * Messages in: `{ type: "init", symbols, recipe, configs, costs, blocks? }`,
 * `{ type: "task", task: { id, symbol, configs } }`.
 * Messages out: `{ type: "result", id, metrics }` or `{ type: "error", id, message }`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { SymbolFeatures } from "../feature_table.ts";
import type { ConfigTable } from "../grid.ts";
import {
  type BotBlocks,
  type BotGridTask,
  BotTaskRunner,
  warmUpBot,
} from "./bot_grid_run.ts";
import { type BotMarketRecipe, marketBuilder } from "./bot_rules.ts";
import type { BotCosts } from "./simulate_bot.ts";
import { answerTask, errorText } from "../pool_worker.ts";

// Optimise the engine before the first message (the table is still being read then).
warmUpBot();

let runner: BotTaskRunner | undefined;
let initError: string | undefined;

self.onmessage = (e: MessageEvent) => {
  const msg = e.data as
    | {
      type: "init";
      symbols: SymbolFeatures[];
      recipe: BotMarketRecipe;
      configs: ConfigTable;
      costs: BotCosts;
      blocks?: BotBlocks;
    }
    | { type: "task"; task: BotGridTask & { id: number } };
  if (msg.type === "init") {
    runner = undefined;
    initError = undefined;
    try {
      const market = marketBuilder(
        msg.recipe,
        msg.symbols.map((f) => f.symbol),
      );
      const symbols = msg.symbols;
      runner = new BotTaskRunner(
        (s) => market(symbols[s]!),
        msg.configs,
        msg.costs,
        msg.blocks,
      );
    } catch (error) {
      initError = errorText(error);
    }
    return;
  }
  answerTask(msg.task.id, () => {
    if (runner === undefined) {
      throw new Error(
        `Cannot run task: worker not initialised${
          initError !== undefined ? ` (${initError})` : ""
        }`,
      );
    }
    return runner.run(msg.task);
  });
};
