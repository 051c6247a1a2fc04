import { basename } from 'node:path';
import { writeFileAtomic } from '@flannel-ts/atomic-file';
import { formatSubnetEnv, type SubnetEnvValues } from './format.js';

/**
 * Replaces the env file atomically, as Go flanneld does: the directory is created (0755) when missing,
 * the content goes to `.<basename>` in the same directory, is fsynced, then renamed over `path`.
 */
export async function writeSubnetEnv(path: string, values: SubnetEnvValues): Promise<void> {
  await writeFileAtomic(path, formatSubnetEnv(values), {
    dirMode: 0o755,
    tempName: `.${basename(path)}`,
    what: 'writing subnet file',
  });
}
