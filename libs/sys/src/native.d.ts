// The raw addon built from native/sys.cc. Private to this lib: callers use the facade in index.ts.
export interface SysNative {
  /** Throws an errno Error (`code`, `errno`, `syscall`) naming the socket path. */
  sdNotify(socketPath: string, message: string): void;
  /** False only when `wait` is false and the lock is held through another open file description. */
  flock(fd: number, mode: 'exclusive' | 'shared' | 'unlock', wait: boolean): boolean;
  setParentDeathSignal(signal: number): void;
  /** A compacting full GC, then malloc_trim(0). */
  lowMemory(): void;
}
