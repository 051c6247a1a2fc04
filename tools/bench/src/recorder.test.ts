import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBenchArgs } from './options.js';
import { Progress } from './progress.js';
import { Recorder } from './recorder.js';
import { readResults } from './results-file.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const resultsFile = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-results-'));
  dirs.push(dir);
  return path.join(dir, 'bench', 'results.json');
};

describe('Recorder', () => {
  it('replaces only its own benchmark entry, with host facts and the load during the run', () => {
    const file = resultsFile();
    const first = new Recorder('vxlan', file, { rounds: 3 });
    first.add({ metric: 'throughput-ratio', group: 'vxlan', series: '1 stream', value: 0.4512345, unit: 'ratio', runs: [0.4, 0.4512345] });
    first.save();
    const other = new Recorder('udp', file, {});
    other.add({ metric: 'throughput-ratio', group: 'udp', series: '1 stream', value: 0.3, unit: 'ratio' });
    other.save();
    const again = new Recorder('vxlan', file, { rounds: 1 });
    again.add({ metric: 'rss', group: 'vxlan', series: 'flanneld', value: 70, unit: 'MiB' });
    again.save();

    const results = readResults(file)!;
    expect(Object.keys(results.benchmarks)).toEqual(['udp', 'vxlan']);
    expect(results.benchmarks.udp!.results).toEqual([{ metric: 'throughput-ratio', group: 'udp', series: '1 stream', value: 0.3, unit: 'ratio' }]);
    const vxlan = results.benchmarks.vxlan!;
    expect(vxlan.settings).toEqual({ rounds: 1 });
    expect(vxlan.results).toEqual([{ metric: 'rss', group: 'vxlan', series: 'flanneld', value: 70, unit: 'MiB' }]);
    expect(vxlan.host.cores).toBeGreaterThan(0);
    expect(vxlan.host.node).toBe(process.version);
    expect(vxlan.load.min).toBeLessThanOrEqual(vxlan.load.max);
    expect(Date.parse(vxlan.date)).not.toBeNaN();
  });

  it('keeps three decimals', () => {
    const file = resultsFile();
    const r = new Recorder('vxlan', file, {});
    r.add({ metric: 'throughput-ratio', group: 'vxlan', series: '1 stream', value: 0.4512345, unit: 'ratio', runs: [0.4, 0.4512345] });
    r.save();
    expect(readResults(file)!.benchmarks.vxlan!.results[0]).toMatchObject({ value: 0.451, runs: [0.4, 0.451] });
  });

  it('refuses to overwrite a results file it cannot read, naming it', () => {
    const file = resultsFile();
    new Recorder('udp', file, {}).save();
    writeFileSync(file, '{"schema": 1, "benchmarks": [');
    expect(() => new Recorder('udp', file, {}).save()).toThrow(`${file}: not valid JSON`);
    expect(readFileSync(file, 'utf8')).toBe('{"schema": 1, "benchmarks": [');
  });
});

describe('parseBenchArgs', () => {
  const defaults = { rounds: 3, seconds: 4 };

  it('takes flags over the environment over the defaults', () => {
    expect(parseBenchArgs(['--rounds=1'], defaults, { SECONDS: '2' })).toMatchObject({ rounds: 1, seconds: 2 });
    expect(parseBenchArgs([], defaults, {})).toMatchObject({ rounds: 3, seconds: 4, results: expect.stringMatching(/docs\/bench\/results\.json$/) });
    expect(parseBenchArgs(['--no-record'], defaults, {}).results).toBeUndefined();
    expect(parseBenchArgs(['--results', 'x.json'], defaults, {}).results).toBe(path.resolve('x.json'));
  });

  it('names a bad flag in one line', () => {
    expect(() => parseBenchArgs(['--rounds=0'], defaults, {})).toThrow('--rounds must be a whole number ≥ 1, got "0"');
    expect(() => parseBenchArgs(['--round=2'], defaults, {})).toThrow(/Unknown option '--round'.*\(flags: --results, --no-record, --rounds, --seconds\)/);
  });
});

describe('Progress', () => {
  it('counts the steps of a benchmark', () => {
    const lines: string[] = [];
    const progress = new Progress('vxlan', 2, (line) => lines.push(line));
    progress.step('iperf3 pod→pod, 1 stream');
    progress.step('join');
    expect(lines).toEqual(['[vxlan] 1 of 2: iperf3 pod→pod, 1 stream', '[vxlan] 2 of 2: join']);
  });
});
