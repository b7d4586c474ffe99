/**
 * The file edge of one downloaded series: read-only inspection of an existing file (its
 * header, first and last row time, a partial last line), and an append-only writer.
 *
 * Invariants (what makes a download resumable and `kill -9` safe):
 * - bytes are only ever appended after the last whole line; the only other change is
 *   cutting off a partial last line (a write cut by a crash) before appending;
 * - a file is created with its header, so a file never holds rows of an unknown format;
 * - {@linkcode SeriesAppender.close} fsyncs, so a finished run is on disk.
 *
 * @module
 */
import { SeriesScanner } from "./series_scan.ts";

/** A problem with an existing file that the user must resolve (wrong format). */
export class SeriesFileError extends Error {
  /** @param message what is wrong, naming the file */
  constructor(message: string) {
    super(message);
    this.name = "SeriesFileError";
  }
}

/** What {@linkcode inspectSeries} found. */
export interface SeriesState {
  /** False when there is no file, or only an empty file or a cut header. */
  readonly exists: boolean;
  /** Time of the first and last whole row (NaN when none). */
  readonly first: number;
  readonly last: number;
  /** Length of the file up to its last whole line (where appends go). */
  readonly wholeBytes: number;
  /** Bytes of a partial last line to cut off. */
  readonly partialBytes: number;
}

const TAIL = 1 << 16;

/**
 * Reads the header, the first row and the tail of `path` without changing it.
 *
 * @throws {SeriesFileError} when the file has another header, or is not a regular file
 */
export function inspectSeries(path: string, header: string): SeriesState {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return {
        exists: false,
        first: NaN,
        last: NaN,
        wholeBytes: 0,
        partialBytes: 0,
      };
    }
    throw error;
  }
  try {
    const info = file.statSync();
    if (!info.isFile) {
      throw new SeriesFileError(`Cannot use ${path}: not a file`);
    }
    const size = info.size;
    const headBuf = new Uint8Array(Math.min(size, TAIL));
    readFully(file, headBuf);
    const text = new TextDecoder().decode(headBuf);
    const nl = text.indexOf("\n");
    if (nl < 0 && size <= TAIL) {
      if ((header + "\n").startsWith(text)) {
        // Empty, or a header cut by a crash: the file holds nothing yet.
        return {
          exists: false,
          first: NaN,
          last: NaN,
          wholeBytes: 0,
          partialBytes: size,
        };
      }
    }
    const got = nl < 0 ? text.slice(0, 80) : text.slice(0, nl);
    if (got !== header) {
      throw new SeriesFileError(
        `Cannot append to ${path}: its header "${
          got.slice(0, 80)
        }" is not "${header}" (another format; move it away)`,
      );
    }
    // The first row from the head, the last whole row from the tail.
    const scanHead = new SeriesScanner(header, 0);
    scanHead.push(headBuf.subarray(0, Math.min(headBuf.length, nl + 1 + 200)));
    const first = scanHead.finish().first;
    const tailLen = Math.min(size, TAIL);
    const tail = new Uint8Array(tailLen);
    file.seekSync(size - tailLen, Deno.SeekMode.Start);
    readFully(file, tail);
    const lastNl = tail.lastIndexOf(10);
    const partial = tailLen - 1 - lastNl;
    const wholeBytes = size - partial;
    let last = NaN;
    if (wholeBytes > nl + 1) {
      const prevNl = tail.lastIndexOf(10, lastNl - 1);
      const line = new TextDecoder().decode(tail.subarray(prevNl + 1, lastNl));
      const t = Number(line.slice(0, line.indexOf(",")));
      if (!Number.isInteger(t)) {
        throw new SeriesFileError(
          `Cannot append to ${path}: its last line "${
            line.slice(0, 60)
          }" has no time (run --verify)`,
        );
      }
      last = t;
    }
    return { exists: true, first, last, wholeBytes, partialBytes: partial };
  } finally {
    file.close();
  }
}

function readFully(file: Deno.FsFile, buf: Uint8Array): void {
  let done = 0;
  while (done < buf.length) {
    const n = file.readSync(buf.subarray(done));
    if (n === null) break;
    done += n;
  }
}

/** Appends whole lines to a series file; see the module invariants. */
export class SeriesAppender {
  #file: Deno.FsFile;
  #encoder = new TextEncoder();
  /** Bytes appended by this writer. */
  bytes = 0;

  /**
   * Opens `path` for appending, after `state` (from {@linkcode inspectSeries}): creates it
   * with `header` when it does not exist, else cuts a partial last line.
   */
  constructor(path: string, header: string, state: SeriesState) {
    this.#file = Deno.openSync(path, { read: true, write: true, create: true });
    try {
      if (!state.exists) {
        this.#file.truncateSync(0);
        this.#writeAll(this.#encoder.encode(header + "\n"));
      } else {
        if (state.partialBytes > 0) this.#file.truncateSync(state.wholeBytes);
        this.#file.seekSync(state.wholeBytes, Deno.SeekMode.Start);
      }
    } catch (error) {
      this.#file.close();
      throw error;
    }
  }

  /** Appends `text` (whole lines, each ending in `\n`). */
  append(text: string): void {
    if (text === "") return;
    const data = this.#encoder.encode(text);
    this.#writeAll(data);
    this.bytes += data.length;
  }

  /** Appends `data` (the bytes of whole lines, each ending in `\n`). */
  appendBytes(data: Uint8Array): void {
    this.#writeAll(data);
    this.bytes += data.length;
  }

  /** Flushes to disk (fsync) and closes. */
  close(): void {
    try {
      this.#file.syncSync();
    } finally {
      this.#file.close();
    }
  }

  #writeAll(data: Uint8Array): void {
    let done = 0;
    while (done < data.length) {
      done += this.#file.writeSync(data.subarray(done));
    }
  }
}

/** Scans a whole series file (streaming, 1 MiB at a time). */
export function scanSeriesFile(
  path: string,
  header: string,
  stepMs: number,
): ReturnType<SeriesScanner["finish"]> {
  const scanner = new SeriesScanner(header, stepMs);
  const file = Deno.openSync(path, { read: true });
  try {
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const n = file.readSync(buf);
      if (n === null) break;
      scanner.push(buf.subarray(0, n));
    }
  } finally {
    file.close();
  }
  return scanner.finish();
}
