import type { Logger } from 'pino';
import { saveMainCodeCacheSoon } from '@flannel-ts/code-cache';
import { releaseMemory } from '@flannel-ts/sys';
import { codeCacheDir } from './code-cache-dir.js';

/**
 * Once the daemon has joined: its code cache saved in the state directory (-v=1 says how it went).
 * V8 makes it in ~3 MiB of malloc'd memory, which glibc would keep: the garbage of the start is
 * collected before (or the two add up to the process's peak) and all of it given back after.
 */
export function saveCodeCacheSoon(stateDirRoot: string, log: Logger): void {
  saveMainCodeCacheSoon(codeCacheDir(stateDirRoot), (line) => log.debug(line), releaseMemory);
}
