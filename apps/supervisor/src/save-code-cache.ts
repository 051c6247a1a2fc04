import type { Logger } from 'pino';
import { saveMainCodeCacheSoon } from '@flannel-ts/code-cache';
import { codeCacheDir } from './code-cache-dir.js';

/** Once the daemon has joined: its code cache saved in the state directory (-v=1 says how it went). */
export function saveCodeCacheSoon(stateDirRoot: string, log: Logger): void {
  saveMainCodeCacheSoon(codeCacheDir(stateDirRoot), (line) => log.debug(line));
}
