/**
 * An append-only CSV log file with buffered writes that only ever holds whole lines.
 *
 * - A new (or empty) file gets the header; an existing one must carry the same header and
 *   is appended to, so a restart continues the same log.
 * - Lines are buffered in memory and written by {@linkcode CsvLogWriter.flush} in one
 *   write of complete lines. If an earlier process died in the middle of a write (power
 *   loss), the partial last line is cut off when the file is opened again.
 *
 * @module
 */

/** Thrown when a log file cannot be opened or does not match the schema. */
export class LogFileError extends Error {
  /** @param message what is wrong with which file */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LogFileError";
  }
}

/** Appends whole CSV lines to one file. */
export class CsvLogWriter {
  readonly path: string;
  #file: Deno.FsFile;
  #chunks: string[] = [];
  #bufferedBytes = 0;
  #rows = 0;
  /** Rows buffered since the last flush. */
  #pendingRows = 0;
  #droppedRows = 0;
  #encoder = new TextEncoder();
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  /**
   * Opens (or creates) the log at `path` for appending.
   *
   * @param path the CSV file
   * @param header the header line, with its trailing newline
   * @returns the writer and how many bytes of a partial last line were cut off
   * @throws {LogFileError} when the file cannot be opened or has another header
   */
  static async open(
    path: string,
    header: string,
  ): Promise<{ writer: CsvLogWriter; repairedBytes: number }> {
    let file: Deno.FsFile;
    try {
      // never follow a symlink planted at the path (it would redirect the writes), and
      // create new files private to this user whatever the umask
      await refuseSymlink(path);
      file = await Deno.open(path, {
        read: true,
        write: true,
        create: true,
        mode: 0o600,
      });
    } catch (error) {
      if (error instanceof LogFileError) throw error;
      throw new LogFileError(
        `Cannot open log file ${path}: ${describe(error)}`,
        {
          cause: error,
        },
      );
    }
    try {
      // the path must still be the file opened (no symlink swapped in meanwhile)
      const [opened, now] = await Promise.all([file.stat(), Deno.lstat(path)]);
      if (
        now.isSymlink || opened.ino !== now.ino || opened.dev !== now.dev
      ) {
        throw new LogFileError(
          `Cannot open log file ${path}: it changed while opening (a symbolic link?)`,
        );
      }
      const size = (await file.stat()).size;
      let repairedBytes = 0;
      if (size === 0) {
        await writeAll(file, new TextEncoder().encode(header));
      } else {
        await checkHeader(file, path, header);
        const keep = await lastNewlineEnd(file, size);
        if (keep < size) {
          await file.truncate(keep);
          repairedBytes = size - keep;
        }
      }
      await file.seek(0, Deno.SeekMode.End);
      if (size > 0 && (await file.stat()).size === 0) {
        await writeAll(file, new TextEncoder().encode(header));
      }
      return { writer: new CsvLogWriter(path, file), repairedBytes };
    } catch (error) {
      file.close();
      if (error instanceof LogFileError) throw error;
      throw new LogFileError(
        `Cannot prepare log file ${path}: ${describe(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  /** Buffers one or more complete lines (each ending with a newline). */
  append(lines: string): void {
    if (this.#closed) {
      throw new LogFileError(`Cannot append to ${this.path}: closed`);
    }
    this.#chunks.push(lines);
    this.#bufferedBytes += lines.length;
    this.#rows++;
    this.#pendingRows++;
  }

  /** Characters waiting in the buffer. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** Rows appended since the writer was opened (flushed or not). */
  get rows(): number {
    return this.#rows;
  }

  /**
   * Rows lost to a failed write: the batch whose write failed and every batch after it
   * (after a failure nothing more is written, so no row lands after a partial one).
   */
  get droppedRows(): number {
    return this.#droppedRows;
  }

  /** Writes everything buffered so far in one write; flushes are serialized. */
  flush(): Promise<void> {
    if (this.#chunks.length === 0) return this.#writing;
    const bytes = this.#encoder.encode(this.#chunks.join(""));
    const rows = this.#pendingRows;
    this.#chunks = [];
    this.#bufferedBytes = 0;
    this.#pendingRows = 0;
    this.#writing = this.#writing.then(() => writeAll(this.#file, bytes));
    this.#writing.catch(() => {
      this.#droppedRows += rows;
    });
    return this.#writing;
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    this.#file.close();
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await file.write(bytes.subarray(off));
}

async function checkHeader(
  file: Deno.FsFile,
  path: string,
  header: string,
): Promise<void> {
  const head = new Uint8Array(Math.max(4096, header.length));
  await file.seek(0, Deno.SeekMode.Start);
  let n = 0;
  while (n < head.length) {
    const r = await file.read(head.subarray(n));
    if (r === null) break;
    n += r;
  }
  const text = new TextDecoder().decode(head.subarray(0, n));
  const newline = text.indexOf("\n");
  // A file holding only part of its header (crash while creating) is repaired by the caller.
  if (
    newline < 0
      ? header.startsWith(text)
      : text.slice(0, newline + 1) === header
  ) return;
  const firstLine = newline < 0 ? text : text.slice(0, newline);
  throw new LogFileError(
    `Cannot append to ${path}: its header "${firstLine}" differs from the schema "${header.trimEnd()}"`,
  );
}

async function lastNewlineEnd(
  file: Deno.FsFile,
  size: number,
): Promise<number> {
  // Scan backwards for the last "\n"; everything after it is a partial line.
  const block = 4096;
  let end = size;
  const buf = new Uint8Array(block);
  while (end > 0) {
    const start = Math.max(0, end - block);
    await file.seek(start, Deno.SeekMode.Start);
    let n = 0;
    while (n < end - start) {
      const r = await file.read(buf.subarray(n, end - start));
      if (r === null) break;
      n += r;
    }
    for (let i = n - 1; i >= 0; i--) if (buf[i] === 10) return start + i + 1;
    end = start;
  }
  return 0;
}

function describe(error: unknown): string {
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotFound) return "directory not found";
  if (error instanceof Deno.errors.IsADirectory) return "is a directory";
  return error instanceof Error ? error.message : String(error);
}

/** @throws {LogFileError} when `path` is a symbolic link */
async function refuseSymlink(path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  if (info.isSymlink) {
    throw new LogFileError(
      `Cannot open log file ${path}: it is a symbolic link (refusing to follow it)`,
    );
  }
}
