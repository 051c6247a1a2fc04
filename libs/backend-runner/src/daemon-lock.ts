import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockFile } from '@flannel-ts/sys';

export interface HeldLock {
  release(): void;
}

export const LOCK_FILE_NAME = 'backend.lock';

/**
 * Takes `<stateDir>/backend.lock` so two backends of one daemon never run at once (e.g. a restart
 * racing a backend that has not exited yet). Creates stateDir when missing. Throws an Error naming
 * the lock file and the holder's pid when it is taken.
 */
export function lockDaemon(stateDir: string): HeldLock {
  mkdirSync(stateDir, { recursive: true, mode: 0o755 });
  const path = join(stateDir, LOCK_FILE_NAME);
  const lock = lockFile(path);
  if (lock !== undefined) return lock;
  throw new Error(`another backend of this daemon is running: ${path} is locked by ${describeHolder(path)}`);
}

function describeHolder(path: string): string {
  try {
    const pid = readFileSync(path, 'utf8').trim();
    // The holder truncates before it writes its pid, so the file can be empty for a moment.
    return /^\d+$/.test(pid) ? `pid ${pid}` : 'a process that has not written its pid yet';
  } catch {
    return 'a process whose pid could not be read';
  }
}
