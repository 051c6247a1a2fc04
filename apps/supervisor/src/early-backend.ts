import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { writeFileAtomic } from '@flannel-ts/atomic-file';
import { BACKEND_BINARIES, findBackendBinary } from './backend-binary.js';
import { spawnBackend } from './backend-process.js';
import { startBackendLauncher, type EarlyBackend } from './backend-launcher.js';

/** In the daemon's state directory: the backend type of its last run. */
export const BACKEND_TYPE_FILE = 'backend-type';

/** The backend type the daemon ran last, if its state directory remembers a known one. */
export function rememberedBackendType(stateDir: string): string | undefined {
  let type: string;
  try {
    type = readFileSync(path.join(stateDir, BACKEND_TYPE_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
  return Object.hasOwn(BACKEND_BINARIES, type) ? type : undefined;
}

/** Remembers the config's backend type for the next start; alloc (no backend process, maybe no state dir) forgets it. */
export async function rememberBackendType(stateDir: string, type: string, log: Logger): Promise<void> {
  const file = path.join(stateDir, BACKEND_TYPE_FILE);
  try {
    if (!Object.hasOwn(BACKEND_BINARIES, type)) await rm(file, { force: true });
    else if (rememberedBackendType(stateDir) !== type) await writeFileAtomic(file, `${type}\n`, { mode: 0o644 });
  } catch (err) {
    // Only the next start's head start is lost.
    log.warn(`Cannot remember the backend type in ${file}: ${(err as Error).message}`);
  }
}

/**
 * Forks the backend the daemon ran last, before etcd is even connected, so its start overlaps ours;
 * when the state directory remembers none, a launcher that becomes whichever backend the config
 * names. The config decides: a process of another type is discarded (see BackendProcess). Undefined
 * when the remembered type's binary is not found (the config's backend is started then).
 */
export function startEarlyBackend(stateDir: string, verbosity: number, log: Logger): EarlyBackend | undefined {
  const type = rememberedBackendType(stateDir);
  if (!type) return startBackendLauncher(log);
  let binary: string;
  try {
    binary = findBackendBinary(type, { invokedAs: process.argv[1] ?? '', env: process.env });
  } catch {
    return undefined;
  }
  log.debug(`Starting the ${type} backend before the config arrives (the last run's type)`);
  return spawnBackend(binary, verbosity, log);
}
