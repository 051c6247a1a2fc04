import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CniCode, CniError } from './cni-error.js';

/** The first regular file named `type` in the CNI_PATH directories, as the CNI libraries look. */
export async function findPlugin(type: string, dirs: readonly string[]): Promise<string> {
  for (const dir of dirs) {
    const candidate = join(dir, type);
    const info = await stat(candidate).catch(() => undefined);
    if (info?.isFile()) return candidate;
  }
  throw new CniError(
    CniCode.internal,
    `failed to find delegate plugin "${type}" in CNI_PATH`,
    `searched ${dirs.length === 0 ? 'no directories' : dirs.map((dir) => join(dir, type)).join(', ')}`,
  );
}
