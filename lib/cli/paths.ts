/**
 * Checks of the paths named by flags, run before a command does any work, so that a wrong
 * path is one line naming the flag (exit code 2) and nothing is left half-written.
 *
 * Outputs: the path must not be (or be under) something of the wrong kind, and its nearest
 * existing ancestor must be a writable directory (proved by creating and removing a probe
 * file there; missing parent directories are created later by the command). Nothing is
 * created when a check fails.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { UsageError } from "./usage_error.ts";

/** The path's info, `undefined` when it does not exist; other failures name the flag. */
async function statOf(
  flag: string,
  path: string,
): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (
      error instanceof Deno.errors.NotFound ||
      error instanceof Deno.errors.NotADirectory
    ) return undefined;
    throw new UsageError(`Cannot use --${flag} ${path}: ${reason(error)}`);
  }
}

function reason(error: unknown): string {
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotCapable) {
    return "not allowed by this command's permissions";
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * The nearest existing ancestor of `path` (itself excluded); refuses one that is not a
 * directory.
 */
async function existingParent(flag: string, path: string): Promise<string> {
  let dir = dirname(resolve(path));
  for (;;) {
    const info = await statOf(flag, dir);
    if (info !== undefined) {
      if (!info.isDirectory) {
        throw new UsageError(
          `Invalid --${flag} ${path}: ${dir} is a file, not a directory`,
        );
      }
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) return dir;
    dir = up;
  }
}

/** Whether this process's permissions allow writing `path` (no prompt). */
async function mayWrite(path: string): Promise<boolean> {
  const status = await Deno.permissions.query({ name: "write", path });
  return status.state === "granted";
}

async function checkWritableDir(
  flag: string,
  path: string,
  dir: string,
): Promise<void> {
  if (!(await mayWrite(path))) {
    throw new UsageError(
      `Invalid --${flag} ${path}: outside this command's write permissions`,
    );
  }
  // Under scoped permissions (e.g. --allow-write=./logs) the nearest existing ancestor may
  // be outside them while the path itself is inside: nothing to probe then.
  if (!(await mayWrite(dir))) return;
  const probe = join(dir, `.aster-probe-${Deno.pid}-${crypto.randomUUID()}`);
  try {
    await Deno.writeFile(probe, new Uint8Array(), { createNew: true });
  } catch (error) {
    throw new UsageError(
      `Invalid --${flag} ${path}: cannot write in ${dir} (${reason(error)})`,
    );
  }
  await Deno.remove(probe);
}

/**
 * Checks an output file path: not empty, not a directory, in (or below) a writable
 * directory.
 *
 * @throws {UsageError} naming the flag and the path
 */
export async function checkOutputFile(
  flag: string,
  path: string,
): Promise<void> {
  if (path.trim() === "") {
    throw new UsageError(`Invalid --${flag}: empty path`);
  }
  const info = await statOf(flag, path);
  if (info?.isDirectory) {
    throw new UsageError(
      `Invalid --${flag} ${path}: is a directory (name a file)`,
    );
  }
  await checkWritableDir(flag, path, await existingParent(flag, path));
}

/**
 * Checks an output directory path: not empty, not a file, writable (or creatable below a
 * writable directory).
 *
 * @throws {UsageError} naming the flag and the path
 */
export async function checkOutputDir(
  flag: string,
  path: string,
): Promise<void> {
  if (path.trim() === "") {
    throw new UsageError(`Invalid --${flag}: empty path`);
  }
  const info = await statOf(flag, path);
  if (info !== undefined && !info.isDirectory) {
    throw new UsageError(
      `Invalid --${flag} ${path}: is a file, not a directory`,
    );
  }
  await checkWritableDir(
    flag,
    path,
    info !== undefined ? path : await existingParent(flag, path),
  );
}

/** Checks that an input path exists and is of the wanted kind. */
async function checkInput(
  flag: string,
  path: string,
  kind: "file" | "directory",
): Promise<void> {
  if (path.trim() === "") {
    throw new UsageError(`Invalid --${flag}: empty path`);
  }
  const info = await statOf(flag, path);
  if (info === undefined) {
    throw new UsageError(`Cannot read --${flag} ${path}: ${kind} not found`);
  }
  if (info.isDirectory !== (kind === "directory")) {
    throw new UsageError(
      kind === "file"
        ? `Invalid --${flag} ${path}: is a directory (name a file)`
        : `Invalid --${flag} ${path}: is a file, not a directory`,
    );
  }
}

/**
 * Checks an input file: it exists and is a file.
 *
 * @throws {UsageError} naming the flag and the path
 */
export function checkInputFile(flag: string, path: string): Promise<void> {
  return checkInput(flag, path, "file");
}

/**
 * Checks an input directory: it exists and is a directory.
 *
 * @throws {UsageError} naming the flag and the path
 */
export function checkInputDir(flag: string, path: string): Promise<void> {
  return checkInput(flag, path, "directory");
}
