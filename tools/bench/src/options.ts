// Command-line flags shared by the benchmarks: each names its repetition counts with defaults, and
// every benchmark takes --results FILE (where its figures go) and --no-record.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_RESULTS = path.join(REPO_ROOT, 'docs/bench/results.json');

export interface CommonOptions {
  /** The results file to merge into, or undefined with --no-record. */
  readonly results: string | undefined;
}

/**
 * Parses `--name=N` for each numeric default (an environment variable of the upper-cased name,
 * e.g. ROUNDS, still sets the default, as before the flags existed). A bad flag throws one line
 * naming it and what was expected.
 */
export function parseBenchArgs<T extends Record<string, number>>(
  argv: readonly string[],
  defaults: T,
  env: NodeJS.ProcessEnv = process.env,
): T & CommonOptions {
  const options: Record<string, { type: 'string' | 'boolean' }> = { results: { type: 'string' }, 'no-record': { type: 'boolean' } };
  for (const name of Object.keys(defaults)) options[name] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const known = Object.keys(options).map((o) => `--${o}`).join(', ');
    throw new Error(`${(err as Error).message.split('\n')[0]} (flags: ${known})`, { cause: err });
  }
  const parsed: Record<string, number> = {};
  for (const [name, fallback] of Object.entries(defaults)) {
    const raw = (values[name] as string | undefined) ?? env[name.toUpperCase().replaceAll('-', '_')];
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1, got ${JSON.stringify(raw)}`);
    parsed[name] = value;
  }
  const results = values['no-record'] ? undefined : path.resolve((values.results as string | undefined) ?? DEFAULT_RESULTS);
  return { ...(parsed as T), results };
}
