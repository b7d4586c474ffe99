/**
 * Reads a feature table file in chunks (never the whole file as one string) into per-symbol
 * Float64Arrays. The I/O edge of `FeatureTableParser`.
 *
 * @module
 */
import {
  type FeatureTable,
  type FeatureTableOptions,
  FeatureTableParser,
} from "./feature_table.ts";

/**
 * Reads and parses the feature table at `path`.
 *
 * @param path the CSV file
 * @param options `shared` puts the arrays in SharedArrayBuffers (for the worker pool)
 * @returns the table
 * @throws {Deno.errors.NotFound} when the file does not exist; SyntaxError/RangeError on bad content
 */
export async function readFeatureTable(
  path: string,
  options: FeatureTableOptions = {},
): Promise<FeatureTable> {
  const parser = new FeatureTableParser({ source: path, ...options });
  using file = await Deno.open(path, { read: true });
  const decoder = new TextDecoder();
  const buf = new Uint8Array(1 << 22);
  for (;;) {
    const got = await file.read(buf);
    if (got === null) break;
    parser.push(decoder.decode(buf.subarray(0, got), { stream: true }));
  }
  parser.push(decoder.decode());
  return parser.finish();
}
