import { deepEqual, throws } from "node:assert/strict";
import type { SimFaults } from "./faults.ts";
import {
  armMoneyFault,
  clearMoneyFaults,
  MONEY_FAULT_HELP,
  MONEY_FAULTS,
  parseMoneyFaults,
} from "./money_faults.ts";

Deno.test("armMoneyFault() arms each money-path fault on the simulator's faults", () => {
  const calls: string[] = [];
  const rec = (name: string) => (...args: unknown[]) =>
    void calls.push(`${name} ${JSON.stringify(args)}`);
  const faults = {
    rejectNextOrders: rec("rejectNextOrders"),
    omitAvgPrice: rec("omitAvgPrice"),
    loseNextOrderReply: rec("loseNextOrderReply"),
    delaySymbol: rec("delaySymbol"),
    splitNextFills: rec("splitNextFills"),
    delayNextOrderReply: rec("delayNextOrderReply"),
  } as unknown as SimFaults;
  for (const f of MONEY_FAULTS) armMoneyFault(faults, f, "BTCUSDT");
  clearMoneyFaults(faults, ["BTCUSDT"]);
  deepEqual(calls, [
    'rejectNextOrders [1,{"type":"TAKE_PROFIT_MARKET","code":-2021}]',
    'rejectNextOrders [1,{"type":"TRAILING_STOP_MARKET","code":-1111}]',
    'rejectNextOrders [1,{"type":"STOP_MARKET","code":-2021}]',
    'rejectNextOrders [2,{"type":"MARKET","code":-4131}]',
    "omitAvgPrice [1]",
    "loseNextOrderReply [1]",
    'delaySymbol ["BTCUSDT",2000]',
    "splitNextFills [1]",
    "delayNextOrderReply [1,3000]",
    'delaySymbol ["BTCUSDT",0]',
  ]);
  deepEqual(Object.keys(MONEY_FAULT_HELP), [...MONEY_FAULTS]);
  deepEqual(parseMoneyFaults(["tp_crossed"]), ["tp_crossed"]);
  throws(() => parseMoneyFaults(["nope"]), /Invalid fault "nope"/);
});
