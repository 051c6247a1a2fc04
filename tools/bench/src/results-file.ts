// The shape of docs/bench/results.json and its one reader: every benchmark run leaves its own entry,
// so running one benchmark replaces its part only.
import { readFileSync } from 'node:fs';

export type Metric = 'throughput-ratio' | 'throughput' | 'join' | 'sync' | 'latency' | 'rss' | 'ping-rtt' | 'cluster';
export type Unit = 'ratio' | 'Gbit/s' | 'ms' | 'MiB' | 's' | 'count' | '% of a core' | 'bytes';

/** One figure: `metric` picks the chart, `group` the bar group (e.g. a backend), `series` the bar. */
export interface BenchResult {
  readonly metric: Metric;
  readonly group: string;
  readonly series: string;
  readonly value: number;
  readonly unit: Unit;
  /** The individual runs the value (a median) was taken from, when there were several. */
  readonly runs?: readonly number[];
}

export interface HostFacts {
  readonly cores: number;
  readonly cpuModel: string;
  readonly kernel: string;
  readonly node: string;
}

/** The 1-minute load average, sampled from start to end of the run. */
export interface LoadDuringRun {
  readonly samples: number;
  readonly min: number;
  readonly mean: number;
  readonly max: number;
}

export interface BenchEntry {
  /** ISO-8601 time the run finished. */
  readonly date: string;
  readonly durationS: number;
  /** The flags the run used (repetitions, seconds per measurement). */
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  readonly host: HostFacts;
  readonly load: LoadDuringRun;
  readonly results: readonly BenchResult[];
}

export interface ResultsFile {
  readonly schema: 1;
  readonly benchmarks: Readonly<Record<string, BenchEntry>>;
}

const METRICS: readonly string[] = ['throughput-ratio', 'throughput', 'join', 'sync', 'latency', 'rss', 'ping-rtt', 'cluster'];
const UNITS: readonly string[] = ['ratio', 'Gbit/s', 'ms', 'MiB', 's', 'count', '% of a core', 'bytes'];

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Checks the parts the charts rely on; the message names the first offending field. */
export function validateResults(data: unknown): ResultsFile {
  if (!isObject(data)) throw new Error('is not a JSON object');
  if (data.schema !== 1) throw new Error(`has schema ${JSON.stringify(data.schema)}, expected 1`);
  if (!isObject(data.benchmarks)) throw new Error('has no "benchmarks" object');
  for (const [name, entry] of Object.entries(data.benchmarks)) {
    const at = `benchmarks.${name}`;
    if (!isObject(entry)) throw new Error(`${at} is not an object`);
    if (typeof entry.date !== 'string') throw new Error(`${at}.date is not a string`);
    if (!isObject(entry.host) || typeof entry.host.cores !== 'number') throw new Error(`${at}.host.cores is not a number`);
    if (!isObject(entry.load) || typeof entry.load.max !== 'number') throw new Error(`${at}.load.max is not a number`);
    if (!Array.isArray(entry.results)) throw new Error(`${at}.results is not an array`);
    entry.results.forEach((r: unknown, i) => {
      const where = `${at}.results[${i}]`;
      if (!isObject(r)) throw new Error(`${where} is not an object`);
      if (!METRICS.includes(r.metric as string)) throw new Error(`${where}.metric ${JSON.stringify(r.metric)} is not one of ${METRICS.join(', ')}`);
      if (typeof r.group !== 'string' || typeof r.series !== 'string') throw new Error(`${where} needs string "group" and "series"`);
      if (typeof r.value !== 'number' || !Number.isFinite(r.value)) throw new Error(`${where}.value ${JSON.stringify(r.value)} is not a finite number`);
      if (!UNITS.includes(r.unit as string)) throw new Error(`${where}.unit ${JSON.stringify(r.unit)} is not one of ${UNITS.join(', ')}`);
    });
  }
  return data as unknown as ResultsFile;
}

/** Reads and checks a results file; `undefined` if it does not exist. Errors name the file. */
export function readResults(file: string): ResultsFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: cannot read it`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  try {
    return validateResults(data);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}
