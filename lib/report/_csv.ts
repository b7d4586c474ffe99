/**
 * A small streaming CSV reader for the engine's outputs (plain fields, no quoting): the file is
 * read in chunks and each line is handed over as its fields.
 *
 * @module
 */

/**
 * Parses a CSV number as the engine writes it: "" / "none" / "nan" → NaN, "inf" / "-inf",
 * "true" → 1, "false" → 0.
 *
 * @throws {SyntaxError} for anything else that is not a number
 */
export function parseCsvNumber(text: string, where: string): number {
  switch (text) {
    case "":
    case "none":
    case "nan":
    case "NaN":
      return NaN;
    case "inf":
    case "Infinity":
      return Infinity;
    case "-inf":
    case "-Infinity":
      return -Infinity;
    case "true":
      return 1;
    case "false":
      return 0;
  }
  const x = Number(text);
  if (x !== x) {
    throw new SyntaxError(`Cannot read ${where}: "${text}" is not a number`);
  }
  return x;
}

/**
 * Reads a CSV file line by line.
 *
 * @param path the file
 * @param onRow called with the header's fields first (line 1), then each row's fields
 */
export async function readCsv(
  path: string,
  onRow: (fields: string[], line: number) => void,
): Promise<void> {
  using file = await Deno.open(path, { read: true });
  const decoder = new TextDecoder();
  const buf = new Uint8Array(1 << 20);
  let rest = "";
  let line = 0;
  const feed = (text: string, final: boolean) => {
    const data = rest + text;
    let start = 0;
    for (;;) {
      const nl = data.indexOf("\n", start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && data.charCodeAt(end - 1) === 13) end--;
      if (end > start) onRow(data.slice(start, end).split(","), ++line);
      start = nl + 1;
    }
    rest = data.slice(start);
    if (final && rest.trim() !== "") onRow(rest.trim().split(","), ++line);
  };
  for (;;) {
    const got = await file.read(buf);
    if (got === null) break;
    feed(decoder.decode(buf.subarray(0, got), { stream: true }), false);
  }
  feed(decoder.decode(), true);
}
