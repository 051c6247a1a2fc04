// The set-up every benchmark shares: flags, a progress reporter, and a recorder for its figures.
import { Recorder } from './recorder.js';
import { parseBenchArgs, type CommonOptions } from './options.js';

export { Progress } from './progress.js';
export type { BenchResult } from './results-file.js';

export interface Bench<T> {
  readonly opts: T & CommonOptions;
  /** Collects figures; a no-op sink with --no-record. */
  readonly record: Pick<Recorder, 'add' | 'save'>;
}

/** Parses the flags (a bad one ends the process with one line) and starts sampling the load. */
export function startBench<T extends Record<string, number>>(name: string, defaults: T): Bench<T> {
  let opts: T & CommonOptions;
  try {
    opts = parseBenchArgs(process.argv.slice(2), defaults);
  } catch (err) {
    console.error(`${name}: ${(err as Error).message}`);
    process.exit(2);
  }
  const { results, ...settings } = opts;
  const record = results ? new Recorder(name, results, settings) : { add: () => undefined, save: () => undefined };
  return { opts, record };
}
