import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCharts } from './charts.js';
import { REPO_ROOT } from './options.js';
import { renderCharts } from './render.js';
import type { BenchEntry, BenchResult, ResultsFile } from './results-file.js';
import { parseSvg } from './svg-check.js';
import { niceCeiling, renderBarChart } from './svg-bar-chart.js';

const entry = (results: BenchResult[], loadMax = 0.4): BenchEntry => ({
  date: '2026-12-04T22:00:00.000Z',
  durationS: 60,
  settings: { rounds: 3 },
  host: { cores: 2, cpuModel: 'test cpu', kernel: '6.1.0', node: 'v20.20.2' },
  load: { samples: 3, min: 0.1, mean: 0.2, max: loadMax },
  results,
});

const ratio = (group: string, series: string, value: number): BenchResult => ({ metric: 'throughput-ratio', group, series, value, unit: 'ratio' });

const RESULTS: ResultsFile = {
  schema: 1,
  benchmarks: {
    hostgw: entry([ratio('host-gw', '1 stream', 0.97), ratio('host-gw', '4 streams', 0.93), { metric: 'rss', group: 'host-gw', series: 'flanneld', value: 80.25, unit: 'MiB' }]),
    vxlan: entry([ratio('vxlan', '1 stream', 0.45), ratio('vxlan', '4 streams', 0.61), { metric: 'join', group: 'vxlan', series: 'start → subnet.env', value: 708, unit: 'ms' }], 3.2),
  },
};

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-chart-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('renderBarChart', () => {
  const charts = buildCharts(RESULTS);
  const throughput = charts.find((c) => c.file === 'throughput-ratios.svg')!;

  it('is well-formed SVG without scripts or styles, one bar and one value label per figure', () => {
    const svg = parseSvg(renderBarChart(throughput.chart));
    expect(svg.root).toBe('{http://www.w3.org/2000/svg}svg');
    expect(svg.scripts).toBe(0);
    expect(svg.bars.map((b) => b.title)).toEqual([
      'host-gw, 1 stream: 0.97 ratio',
      'host-gw, 4 streams: 0.93 ratio',
      'vxlan, 1 stream: 0.45 ratio',
      'vxlan, 4 streams: 0.61 ratio',
    ]);
    expect(svg.values).toEqual(['0.97', '0.93', '0.45', '0.61']);
    expect(svg.groups).toEqual(['host-gw', 'vxlan']);
    expect(svg.texts).toEqual(expect.arrayContaining(['1 stream', '4 streams', '1.0 = bare veth path', 'ratio']));
    expect(svg.references).toBe(1);
  });

  it('draws bar heights in proportion to the values', () => {
    const [a, b] = parseSvg(renderBarChart(throughput.chart)).bars;
    expect(a!.height / b!.height).toBeCloseTo(0.97 / 0.93, 2);
  });

  it('states the host, the date and the load, and says when the machine was loaded', () => {
    expect(throughput.chart.notes[0]).toContain('hostgw, vxlan benchmarks, 2026-12-04; 2 cores, Linux 6.1.0, Node v20.20.2');
    expect(throughput.chart.notes[1]).toContain('hostgw 0.4, vxlan 3.2');
    expect(throughput.chart.notes[1]).toContain('above the core count');
  });

  it('escapes markup in labels', () => {
    const svg = renderBarChart({ ...throughput.chart, groups: [{ name: 'a<b & "c"', values: new Map([['1 stream', 1]]) }] });
    expect(parseSvg(svg).groups).toEqual(['a<b & "c"']);
  });

  it('leaves out charts without figures', () => {
    expect(charts.map((c) => c.file)).toEqual(['throughput-ratios.svg', 'join-times.svg', 'rss.svg']);
  });

  it('ends the axis on a round number at or above the largest value', () => {
    expect([0.9, 1.1, 1.3, 708, 80.25].map(niceCeiling)).toEqual([1, 1.2, 2, 800, 100]);
  });
});

describe('renderCharts', () => {
  it('writes one SVG per chart beside the results', () => {
    const dir = tempDir();
    const file = path.join(dir, 'results.json');
    writeFileSync(file, JSON.stringify(RESULTS));
    const written = renderCharts(file, dir);
    expect(written.map((f) => path.basename(f))).toEqual(['throughput-ratios.svg', 'join-times.svg', 'rss.svg']);
    expect(parseSvg(readFileSync(written[2]!, 'utf8')).values).toEqual(['80.3']);
  });

  it.each([
    ['missing', undefined, /results\.json does not exist: run a benchmark first/],
    ['not JSON', '{"schema": 1,', /results\.json: not valid JSON/],
    ['of another schema', '{"schema": 2, "benchmarks": {}}', /results\.json: has schema 2, expected 1/],
    ['holding a bad value', JSON.stringify({ schema: 1, benchmarks: { vxlan: entry([ratio('vxlan', '1 stream', 'fast' as unknown as number)]) } }), /benchmarks\.vxlan\.results\[0\]\.value "fast" is not a finite number/],
    ['empty', '{"schema": 1, "benchmarks": {}}', /holds no figures to chart/],
  ])('says in one line what is wrong with a results file %s', (_, content, message) => {
    const dir = tempDir();
    const file = path.join(dir, 'results.json');
    if (content !== undefined) writeFileSync(file, content);
    expect(() => renderCharts(file, dir)).toThrow(message);
  });

  it('the command prints one line naming the file and exits 1', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'results.json');
    writeFileSync(file, 'not json');
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'tools/bench/render-chart.ts'), file], {
      cwd: REPO_ROOT,
      env: { ...process.env, TSX_TSCONFIG_PATH: path.join(REPO_ROOT, 'tsconfig.base.json') },
    });
    const failure = await run.then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^bench:chart: ${file}: not valid JSON`))]);
  });
});
