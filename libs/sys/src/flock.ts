import { sysNative } from './load-native.js';

export type FlockMode = 'exclusive' | 'shared' | 'unlock';

/**
 * flock(2) on `fd`. With `wait` false, returns false when another open file description holds a
 * conflicting lock; with `wait` true it blocks this thread until the lock is free (keep such waits short).
 * Other failures throw an errno Error (`code`, `syscall: 'flock'`).
 */
export function flock(fd: number, mode: FlockMode, wait: boolean): boolean {
  if (!Number.isInteger(fd) || fd < 0) throw new TypeError(`flock: fd must be a non-negative integer, got ${fd}`);
  return sysNative().flock(fd, mode, wait);
}
