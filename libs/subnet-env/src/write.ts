import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { formatSubnetEnv, type SubnetEnvValues } from './format.js';

/**
 * Replaces the env file atomically: readers see the old file or the new one, never a mix or a
 * truncated one. The directory is created (0755) when missing; the content goes to `.<basename>`
 * in the same directory (so rename(2) stays on one filesystem), is fsynced, then renamed over `path`.
 * Throws one error naming `path`; the temp file is removed on failure.
 */
export async function writeSubnetEnv(path: string, values: SubnetEnvValues): Promise<void> {
  const content = formatSubnetEnv(values);
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
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
    throw new Error(`writing subnet file ${path}: ${(error as Error).message}`, { cause: error });
  }
}
