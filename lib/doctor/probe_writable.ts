/**
 * {@linkcode probeWritable}: proves a directory is writable by creating it if needed and
 * writing, then removing, a probe file.
 *
 * @module
 */

/**
 * Creates `dir` (recursively) if missing, writes a probe file in it and removes it.
 *
 * @throws {Error} naming the directory when it cannot be created or written
 */
export async function probeWritable(dir: string): Promise<void> {
  const probe = `${dir}/.aster-doctor-${Deno.pid}-${Date.now()}`;
  try {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(probe, "probe\n");
    await Deno.remove(probe);
  } catch (error) {
    throw new Error(
      `Cannot write to ${dir}: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
}
