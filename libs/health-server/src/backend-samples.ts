import { Counter, Gauge, type Registry } from 'prom-client';
import type { BackendMetrics, MetricSample } from '@flannel-ts/backend-protocol';

const NAME = /^flannel_[a-z0-9_]+$/;
const LABEL = /^[a-z_][a-z0-9_]*$/;
/** Labels the supervisor adds; a backend may not set them itself. */
const OWN_LABELS = ['backend', 'network'];

interface Series {
  readonly labels: Record<string, string>;
  /** The last value the running backend process reported (0 for a counter it has not reported yet). */
  current: number;
  /** A counter's total from backend processes that have ended, so `_total` never goes back. */
  offset: number;
}

interface NetworkSamples {
  backend: string;
  /** Which backend process the samples come from: the restart count when they were reported. */
  generation: number;
  /** Metric name → series key → series. */
  readonly byName: Map<string, Map<string, Series>>;
}

interface Exported {
  readonly type: MetricSample['type'];
  readonly labelNames: string;
}

/**
 * The samples backends report in their status messages, exported as Prometheus metrics with the
 * labels `backend` (its type) and, in multi-network mode, `network`. A counter of a backend process
 * that ended is carried over into an offset, so the exported counter keeps rising across restarts.
 * A gauge is dropped with its process until the next one reports.
 */
export class BackendSamples {
  private readonly networks = new Map<string, NetworkSamples>();
  private readonly exported = new Map<string, Exported>();
  private readonly refused = new Set<string>();

  constructor(
    private readonly registry: Registry,
    private readonly multi: boolean,
    /** Told once per metric name that cannot be exported, and once of an unknown schema. */
    private readonly warn: (line: string) => void,
  ) {}

  /** The samples of one status message of `network`'s backend; `generation` changes when its process did. */
  update(network: string, backend: string, generation: number, metrics: BackendMetrics | undefined): void {
    if (metrics === undefined) return;
    if (metrics.schema !== 1) return this.refuse('schema', `backend metrics: schema ${String(metrics.schema)} is not known; ignored`);
    let net = this.networks.get(network);
    if (!net) {
      net = { backend, generation, byName: new Map() };
      this.networks.set(network, net);
    }
    if (net.generation !== generation || net.backend !== backend) this.processEnded(net);
    net.generation = generation;
    net.backend = backend;
    for (const sample of metrics.samples) {
      if (!this.exportable(sample)) continue;
      let series = net.byName.get(sample.name);
      if (!series) net.byName.set(sample.name, (series = new Map()));
      const key = seriesKey(sample.labels);
      const known = series.get(key);
      if (!known) series.set(key, { labels: { ...sample.labels }, current: sample.value, offset: 0 });
      else {
        // A counter that went back was reset by its process: what it had counted stays counted.
        if (sample.type === 'counter' && sample.value < known.current) known.offset += known.current;
        known.current = sample.value;
      }
    }
  }

  /** A network that stopped: its series go. */
  forget(network: string): void {
    this.networks.delete(network);
  }

  private processEnded(net: NetworkSamples): void {
    for (const [name, series] of net.byName) {
      if (this.exported.get(name)?.type !== 'counter') {
        net.byName.delete(name);
        continue;
      }
      for (const s of series.values()) {
        s.offset += s.current;
        s.current = 0;
      }
    }
  }

  /** Whether the sample is well formed and fits the metric of its name (created on first sight). */
  private exportable(sample: MetricSample): boolean {
    const labelNames = Object.keys(sample.labels ?? {}).sort();
    const shape = labelNames.join(',');
    const known = this.exported.get(sample.name);
    if (known) {
      if (known.type === sample.type && known.labelNames === shape && Number.isFinite(sample.value) && !(sample.type === 'counter' && sample.value < 0)) return true;
      this.refuse(sample.name, `backend metric ${sample.name}: a sample of another type, other labels or a bad value; skipped`);
      return false;
    }
    const problem = sampleProblem(sample, labelNames);
    if (problem || this.registry.getSingleMetric(sample.name)) {
      this.refuse(sample.name, `backend metric ${sample.name}: ${problem ?? 'the name of a supervisor metric'}; skipped`);
      return false;
    }
    this.create(sample, labelNames);
    this.exported.set(sample.name, { type: sample.type, labelNames: shape });
    return true;
  }

  private create(sample: MetricSample, labelNames: string[]): void {
    const name = sample.name;
    const all = [...labelNames, ...(this.multi ? ['backend', 'network'] : ['backend'])];
    const rows = () => this.rows(name);
    const help = sample.help.split('\n', 1)[0] || name;
    if (sample.type === 'counter') {
      const counter: Counter = new Counter({
        name,
        help,
        labelNames: all,
        registers: [this.registry],
        collect: () => {
          counter.reset();
          for (const { labels, value } of rows()) counter.inc(labels, value);
        },
      });
    } else {
      const gauge: Gauge = new Gauge({
        name,
        help,
        labelNames: all,
        registers: [this.registry],
        collect: () => {
          gauge.reset();
          for (const { labels, value } of rows()) gauge.set(labels, value);
        },
      });
    }
  }

  private *rows(name: string): Generator<{ labels: Record<string, string>; value: number }> {
    for (const [network, net] of this.networks) {
      const own: Record<string, string> = this.multi ? { backend: net.backend, network } : { backend: net.backend };
      for (const s of net.byName.get(name)?.values() ?? []) yield { labels: { ...s.labels, ...own }, value: s.offset + s.current };
    }
  }

  private refuse(what: string, line: string): void {
    if (this.refused.has(what)) return;
    this.refused.add(what);
    this.warn(line);
  }
}

function sampleProblem(sample: MetricSample, labelNames: readonly string[]): string | undefined {
  if (!NAME.test(sample.name)) return 'the name does not match flannel_[a-z0-9_]+';
  if (sample.type !== 'counter' && sample.type !== 'gauge') return `unknown type ${String(sample.type)}`;
  if (!Number.isFinite(sample.value) || (sample.type === 'counter' && sample.value < 0)) return `bad value ${sample.value}`;
  const bad = labelNames.find((l) => !LABEL.test(l) || OWN_LABELS.includes(l) || l.startsWith('__'));
  if (bad !== undefined) return `label ${bad} is not allowed`;
  return undefined;
}

function seriesKey(labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels) return '';
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\u0000');
}
