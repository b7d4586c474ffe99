/**
 * The byte ports of the feature builder: what it reads from and writes to. `Deno.FsFile`
 * satisfies both; tests pass in-memory fakes. `lib/features` itself never opens a file.
 *
 * @module
 */

/** A synchronous byte source (e.g. an open file). */
export interface ByteSource {
  /** Reads into `buffer`; returns the byte count, or null at the end. */
  readSync(buffer: Uint8Array): number | null;
  /** Releases the source. */
  close(): void;
}

/** A synchronous byte sink (e.g. a file open for writing). */
export interface ByteSink {
  /** Writes some of `data`; returns how many bytes were written. */
  writeSync(data: Uint8Array): number;
  /** Releases the sink. */
  close(): void;
}

/** Writes all of `data` to `sink`, looping over partial writes. */
export function writeAll(sink: ByteSink, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) done += sink.writeSync(data.subarray(done));
}

/** Copies `source` to `sink` until the end of the source. */
export function copyAll(
  source: ByteSource,
  sink: ByteSink,
  buffer: Uint8Array = new Uint8Array(1 << 20),
): void {
  for (;;) {
    const n = source.readSync(buffer);
    if (n === null) return;
    if (n > 0) writeAll(sink, buffer.subarray(0, n));
  }
}

/** A text writer that batches small writes into large ones. */
export class BufferedWriter {
  #sink: ByteSink;
  #limit: number;
  #text = "";
  #encoder = new TextEncoder();

  /**
   * @param sink where the bytes go
   * @param limit characters buffered before a write; @default {65536}
   */
  constructor(sink: ByteSink, limit = 1 << 16) {
    this.#sink = sink;
    this.#limit = limit;
  }

  /** Appends text, writing out when the buffer is full. */
  write(text: string): void {
    this.#text += text;
    if (this.#text.length >= this.#limit) this.flush();
  }

  /** Writes out everything buffered. */
  flush(): void {
    if (this.#text.length === 0) return;
    writeAll(this.#sink, this.#encoder.encode(this.#text));
    this.#text = "";
  }

  /** Flushes and closes the sink. */
  close(): void {
    this.flush();
    this.#sink.close();
  }
}

/** An in-memory {@linkcode ByteSource} over `bytes`, read `chunk` bytes at a time. */
export function memorySource(
  bytes: Uint8Array | string,
  chunk = 1 << 16,
): ByteSource {
  const data = typeof bytes === "string"
    ? new TextEncoder().encode(bytes)
    : bytes;
  let pos = 0;
  return {
    readSync(buffer: Uint8Array): number | null {
      if (pos >= data.length) return null;
      const n = Math.min(buffer.length, chunk, data.length - pos);
      buffer.set(data.subarray(pos, pos + n));
      pos += n;
      return n;
    },
    close(): void {},
  };
}

/** An in-memory {@linkcode ByteSink}; `text()` returns what was written. */
export interface MemorySink extends ByteSink {
  /** Everything written so far, decoded as UTF-8. */
  text(): string;
  /** Whether `close()` was called. */
  readonly closed: boolean;
}

/** Creates a {@linkcode MemorySink}. */
export function memorySink(): MemorySink {
  const parts: Uint8Array[] = [];
  let closed = false;
  return {
    writeSync(data: Uint8Array): number {
      parts.push(data.slice());
      return data.length;
    },
    close(): void {
      closed = true;
    },
    text(): string {
      const d = new TextDecoder();
      return parts.map((p) => d.decode(p, { stream: true })).join("") +
        d.decode();
    },
    get closed(): boolean {
      return closed;
    },
  };
}
