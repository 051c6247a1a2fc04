export type LogLevel = 'info' | 'debug' | 'trace';

/** `-v` count (or glog-style `-v=N`) to a pino level: 0 → info, 1 → debug, 2 and more → trace. */
export function levelForVerbosity(verbosity: number): LogLevel {
  if (!Number.isInteger(verbosity) || verbosity < 0) {
    throw new Error(`log verbosity must be a non-negative integer, got ${verbosity}`);
  }
  if (verbosity === 0) return 'info';
  return verbosity === 1 ? 'debug' : 'trace';
}
