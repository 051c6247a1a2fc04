// Which charts docs/bench holds and how results.json's figures fill them.
import type { BarChart } from './svg-bar-chart.js';
import type { BenchEntry, Metric, ResultsFile } from './results-file.js';

interface ChartKind {
  readonly file: string;
  readonly metric: Metric;
  readonly title: string;
  readonly unit: string;
  readonly digits: number;
  readonly reference?: BarChart['reference'];
}

export const CHARTS: readonly ChartKind[] = [
  {
    file: 'throughput-ratios.svg',
    metric: 'throughput-ratio',
    title: 'Pod→pod throughput ÷ host→host over the bare veth (iperf3, medians)',
    unit: 'ratio',
    digits: 2,
    reference: { value: 1, label: '1.0 = bare veth path' },
  },
  { file: 'join-times.svg', metric: 'join', title: 'Join: flanneld start → subnet.env written (medians)', unit: 'ms', digits: 0 },
  { file: 'sync-times.svg', metric: 'sync', title: 'Sync: flanneld start → a route for every peer lease in the kernel (medians)', unit: 'ms', digits: 0 },
  { file: 'lease-latency.svg', metric: 'latency', title: 'One lease change: etcd acknowledged → route changed in the kernel', unit: 'ms', digits: 1 },
  { file: 'rss.svg', metric: 'rss', title: 'Resident memory (VmRSS)', unit: 'MiB', digits: 1 },
];

const unique = (xs: string[]) => [...new Set(xs)];

/** Where and under what load the figures were taken, for the lines under a chart's title. */
export function provenance(entries: ReadonlyMap<string, BenchEntry>): string[] {
  const list = [...entries.values()];
  const dates = unique(list.map((e) => e.date.slice(0, 10)));
  const hosts = unique(list.map((e) => `${e.host.cores} cores, Linux ${e.host.kernel}, Node ${e.host.node}`));
  const loads = [...entries].map(([name, e]) => `${name} ${e.load.max}`).join(', ');
  // The load includes the benchmark's own processes; above the core count, work waited for a CPU.
  const loaded = list.some((e) => e.load.max > e.host.cores);
  return [
    `${[...entries.keys()].join(', ')} benchmark${entries.size > 1 ? 's' : ''}, ${dates.join(', ')}; ${hosts.join(' / ')}`,
    `highest 1-min load average during each run: ${loads}${loaded ? ' (above the core count: work waited for a CPU; compare bars, not absolutes)' : ''}`,
  ];
}

/** The charts that have figures; a metric no benchmark recorded gives no chart. */
export function buildCharts(results: ResultsFile): Array<{ file: string; chart: BarChart }> {
  const out: Array<{ file: string; chart: BarChart }> = [];
  for (const kind of CHARTS) {
    const used = new Map<string, BenchEntry>();
    const groups = new Map<string, Map<string, number>>();
    const series: string[] = [];
    for (const [name, entry] of Object.entries(results.benchmarks)) {
      for (const r of entry.results) {
        if (r.metric !== kind.metric) continue;
        used.set(name, entry);
        if (!series.includes(r.series)) series.push(r.series);
        const group = groups.get(r.group) ?? new Map<string, number>();
        group.set(r.series, r.value);
        groups.set(r.group, group);
      }
    }
    if (!groups.size) continue;
    out.push({
      file: kind.file,
      chart: {
        title: kind.title,
        notes: provenance(used),
        unit: kind.unit,
        series,
        groups: [...groups].map(([name, values]) => ({ name, values })),
        reference: kind.reference,
        digits: kind.digits,
      },
    });
  }
  return out;
}
