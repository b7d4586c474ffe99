/**
 * Test helpers for the feature builders: in-memory part stores and CSV table parsing.
 *
 * @module
 */
import type { PartStore } from "./build_from_logs.ts";
import { type MemorySink, memorySink, memorySource } from "./io.ts";

/** A {@linkcode PartStore} in memory. */
export function memoryParts(): PartStore {
  const parts = new Map<number, MemorySink>();
  return {
    create(id) {
      const sink = memorySink();
      parts.set(id, sink);
      return sink;
    },
    open(id) {
      return memorySource(parts.get(id)!.text());
    },
  };
}

/** Parses a CSV table (header first) into rows keyed by column name. */
export function parseTable(text: string): Record<string, string>[] {
  const lines = text.split("\n").filter((l) => l !== "");
  const header = lines[0]!.split(",");
  return lines.slice(1).map((line) => {
    const fields = line.split(",");
    if (fields.length !== header.length) {
      throw new SyntaxError(`Cannot parse table: bad row ${line}`);
    }
    return Object.fromEntries(header.map((h, i) => [h, fields[i]!]));
  });
}
