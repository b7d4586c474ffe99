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
  // a random name created exclusively, private: nothing to predict, nothing to follow
  const probe = `${dir}/.aster-doctor-${crypto.randomUUID()}`;
  try {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(probe, "probe\n", {
      createNew: true,
      mode: 0o600,
    });
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
