import { access, constants, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ExitError } from '@flannel-ts/cli';

/**
 * Creates the daemon's state directory (and its missing parents, mode 0700) and checks that it can
 * be written; exits 1 naming `--state-dir`, the directory and the kernel's own errno otherwise.
 */
export async function prepareStateDir(flagValue: string, dir: string): Promise<void> {
  try {
    await makeDirs(dir, 0o700);
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new ExitError(`--state-dir ${flagValue}: cannot use ${dir}: ${(err as Error).message}`, 1, { cause: err });
  }
}

/**
 * `mkdir -p`, one level at a time. Node's `mkdir(..., { recursive: true })` reports any failure
 * other than a few known codes as the ENOENT of a follow-up stat (nodejs/node#47098): a read-only
 * mount or a full disk would read "no such file or directory". Plain mkdir keeps the real errno.
 */
async function makeDirs(dir: string, mode: number): Promise<void> {
  try {
    await mkdir(dir, { mode });
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return assertDirectory(dir, err);
    if (code !== 'ENOENT' || path.dirname(dir) === dir) throw err;
  }
  await makeDirs(path.dirname(dir), mode);
  try {
    await mkdir(dir, { mode });
  } catch (err) {
    // Someone else may have created it since our first try.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    await assertDirectory(dir, err);
  }
}

/** An existing path is fine when it is a directory (or a link to one); otherwise mkdir's EEXIST stands. */
async function assertDirectory(dir: string, mkdirError: unknown): Promise<void> {
  if (!(await stat(dir)).isDirectory()) throw mkdirError;
}
