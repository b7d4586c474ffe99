/**
 * A synchronous, streaming line reader over a file: reads 64 KiB at a time, so replaying a
 * large file never loads it whole, and the sim clock can pull rows synchronously.
 *
 * @module
 */

const CHUNK = 64 * 1024;

/** Reads a text file line by line (`\n` or `\r\n`), synchronously. */
export class LineReader {
  #file: Deno.FsFile | undefined;
  #decoder = new TextDecoder();
  #buf = new Uint8Array(CHUNK);
  #text = "";
  #pos = 0;
  #eof = false;
  /** The 1-based number of the last line returned. */
  lineNo = 0;
  /** The path being read. */
  readonly path: string;

  /** @param path the file to read (opened now; throws Deno.errors.NotFound when missing) */
  constructor(path: string) {
    this.path = path;
    this.#file = Deno.openSync(path, { read: true });
  }

  /** The next line without its line end, or undefined at the end of the file. */
  next(): string | undefined {
    for (;;) {
      const nl = this.#text.indexOf("\n", this.#pos);
      if (nl >= 0) {
        let line = this.#text.slice(this.#pos, nl);
        this.#pos = nl + 1;
        if (line.endsWith("\r")) line = line.slice(0, -1);
        this.lineNo++;
        return line;
      }
      if (this.#eof) {
        if (this.#pos >= this.#text.length) return undefined;
        const line = this.#text.slice(this.#pos);
        this.#pos = this.#text.length;
        this.lineNo++;
        return line.endsWith("\r") ? line.slice(0, -1) : line;
      }
      this.#fill();
    }
  }

  #fill(): void {
    const file = this.#file;
    const n = file ? file.readSync(this.#buf) : null;
    const rest = this.#text.slice(this.#pos);
    this.#pos = 0;
    if (n === null || n === 0) {
      this.#text = rest + this.#decoder.decode();
      this.#eof = true;
      this.close();
      return;
    }
    this.#text = rest +
      this.#decoder.decode(this.#buf.subarray(0, n), { stream: true });
  }

  /** Closes the file (idempotent). */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}
