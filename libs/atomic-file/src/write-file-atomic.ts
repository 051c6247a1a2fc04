import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0644). */
  readonly mode?: number;
  /** Create the directory with this mode when it is missing (default: the directory must exist). */
  readonly dirMode?: number;
  /** Temp file name in the same directory (default `.<basename>.<pid>.tmp`). */
  readonly tempName?: string;
  /** Start of the error message (default "writing"), e.g. "writing subnet file". */
  readonly what?: string;
}

/**
 * Replaces `path` with `content` (a string, bytes, or bytes in parts) so that a reader at any
 * moment sees the old file or the new one, never a mix or a truncated one: temp file in the same
 * directory (rename(2) stays on one filesystem), fsync, rename. Throws one error naming `path`; the
 * temp file is removed on failure.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array | readonly Uint8Array[], o: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, o.tempName ?? `.${basename(path)}.${process.pid}.tmp`);
  try {
    if (o.dirMode !== undefined) await mkdir(dir, { recursive: true, mode: o.dirMode });
    const file = await open(temp, 'w', o.mode ?? 0o644);
    try {
      if (typeof content === 'string') await file.writeFile(content, 'utf8');
      // Parts one after the other (each writeFile goes on from where the last ended): no joined copy.
      else for (const part of content instanceof Uint8Array ? [content] : content) await file.writeFile(part);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw new Error(`${o.what ?? 'writing'} ${path}: ${(error as Error).message}`, { cause: error });
  }
}
