import { closeSync, constants, ftruncateSync, openSync, writeSync } from 'node:fs';
import { flock } from './flock.js';

export interface FileLock {
  readonly fd: number;
  /** Unlocks and closes. The file itself stays: unlinking a lock file races with the next locker. */
  release(): void;
}

/**
 * Takes an exclusive, non-blocking flock on `path` (created with mode 0644 when absent) and writes
 * our pid into it. Returns undefined when another process (or another open of the file) holds it.
 * The lock lives as long as the returned fd: it is released on `release()` or when the process dies.
 */
export function lockFile(path: string): FileLock | undefined {
  // Node (libuv) opens every file with O_CLOEXEC, so the lock never leaks into child processes;
  // test/flock.test.ts checks that.
  const fd = openSync(path, constants.O_CREAT | constants.O_RDWR | constants.O_NOCTTY, 0o644);
  try {
    if (!flock(fd, 'exclusive', false)) {
      closeSync(fd);
      return undefined;
    }
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`, 0);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  let released = false;
  return {
    fd,
    release() {
      if (released) return;
      released = true;
      try {
        flock(fd, 'unlock', false);
      } finally {
        closeSync(fd);
      }
    },
  };
}
