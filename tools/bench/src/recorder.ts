// What a benchmark uses to leave its figures in docs/bench/results.json: host facts, the machine's
// load while it ran, and a merge that replaces only this benchmark's entry.
import { renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import path from 'node:path';
import { readResults, type BenchEntry, type BenchResult, type HostFacts, type LoadDuringRun, type ResultsFile } from './results-file.js';

const LOAD_SAMPLE_MS = 5_000;

export function hostFacts(): HostFacts {
  const cpuList = cpus();
  return { cores: cpuList.length, cpuModel: cpuList[0]?.model.trim() ?? 'unknown', kernel: release(), node: process.version };
}

/** Samples the 1-minute load average every few seconds until `stop()`. */
export function sampleLoad(): { stop(): LoadDuringRun } {
  const samples = [loadavg()[0]!];
  const timer = setInterval(() => samples.push(loadavg()[0]!), LOAD_SAMPLE_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      samples.push(loadavg()[0]!);
      const round = (x: number) => Math.round(x * 100) / 100;
      return {
        samples: samples.length,
        min: round(Math.min(...samples)),
        mean: round(samples.reduce((a, b) => a + b, 0) / samples.length),
        max: round(Math.max(...samples)),
      };
    },
  };
}

/** Returns `previous` with `name`'s entry replaced (the other benchmarks' entries kept, names sorted). */
export function mergeEntry(previous: ResultsFile | undefined, name: string, entry: BenchEntry): ResultsFile {
  const benchmarks = { ...previous?.benchmarks, [name]: entry };
  return { schema: 1, benchmarks: Object.fromEntries(Object.entries(benchmarks).sort(([a], [b]) => a.localeCompare(b))) };
}

export function writeResults(file: string, results: ResultsFile): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Collects one benchmark run's figures; `save()` merges them into the results file. */
export class Recorder {
  private readonly results: BenchResult[] = [];
  private readonly load = sampleLoad();
  private readonly started = performance.now();

  constructor(
    readonly name: string,
    private readonly file: string,
    private readonly settings: Readonly<Record<string, number | string | boolean>>,
  ) {}

  /** Keeps three decimals: enough for ms, MiB and ratios, and a readable file. */
  add(result: BenchResult): void {
    const round = (x: number) => Math.round(x * 1000) / 1000;
    this.results.push({ ...result, value: round(result.value), ...(result.runs && { runs: result.runs.map(round) }) });
  }

  save(): void {
    const load = this.load.stop();
    const entry: BenchEntry = {
      date: new Date().toISOString(),
      durationS: Math.round((performance.now() - this.started) / 1000),
      settings: this.settings,
      host: hostFacts(),
      load,
      results: this.results,
    };
    writeResults(this.file, mergeEntry(readResults(this.file), this.name, entry));
    console.error(`[${this.name}] ${this.results.length} results written to ${this.file} (load average ${load.min}–${load.max} on ${entry.host.cores} cores)`);
  }
}
