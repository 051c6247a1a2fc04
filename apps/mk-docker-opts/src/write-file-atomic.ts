import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `content` (mode 0644) so that Docker's unit, reading it at any moment, sees
 * the old file or the new one, never a truncated one: temp file in the same directory, fsync, rename.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const file = await open(temp, 'w', 0o644);
    try {
      await file.writeFile(content, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw new Error(`writing ${path}: ${(error as Error).message}`, { cause: error });
  }
}
