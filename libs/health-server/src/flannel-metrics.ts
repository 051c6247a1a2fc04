import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BackendMetrics } from '@flannel-ts/backend-protocol';
import { BackendSamples } from './backend-samples.js';

/** One network's figures at a scrape; a figure not known yet is left out. */
export interface NetworkFigures {
  readonly leases?: number;
  readonly subnetsFree?: number;
  readonly leaseExpirySeconds?: number;
  readonly renewalsOk: number;
  readonly renewalsFailed: number;
  readonly relists: number;
  readonly resumes: number;
  readonly backendRestarts: number;
  readonly masqResyncs: number;
  readonly ready: boolean;
}

export interface FlannelMetricsOptions {
  /** Multi-network mode: every per-network metric gets the label `network`. */
  readonly multi: boolean;
  /** The daemon's readiness, for `flannel_ready` without labels. */
  readonly daemonReady: () => boolean;
  readonly warn: (line: string) => void;
  /** prom-client's process metrics (CPU, memory, event loop, ...); on unless false. */
  readonly processMetrics?: boolean;
}

const ETCD_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The supervisor's metrics. Figures the daemon keeps anyway (lease counts, renewals, watch
 * re-lists, restarts) are read at scrape time, so nothing is done for metrics on the lease path;
 * only etcd request durations are observed as they happen.
 */
export class FlannelMetrics {
  readonly registry = new Registry();
  readonly backend: BackendSamples;
  private readonly networks = new Map<string, () => NetworkFigures>();
  private figures = new Map<string, NetworkFigures>();
  private readonly etcdDuration: Histogram<'op'>;

  constructor(private readonly o: FlannelMetricsOptions) {
    if (o.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.etcdDuration = new Histogram({
      name: 'flannel_etcd_request_duration_seconds',
      help: 'Duration of etcd requests (watch: setting a watch up, or its stream breaking), by operation.',
      labelNames: ['op'],
      buckets: ETCD_BUCKETS,
      registers: [this.registry],
    });
    this.networkGauge('flannel_leases', 'Subnet leases known, this host\'s own included.', (f) => f.leases);
    this.networkGauge('flannel_subnets_free', 'Subnets of SubnetLen in [SubnetMin, SubnetMax] no lease holds.', (f) => f.subnetsFree);
    this.networkGauge('flannel_lease_expiry_seconds', 'Seconds until this host\'s lease expires unless renewed.', (f) => f.leaseExpirySeconds);
    this.networkCounter('flannel_watch_relists_total', 'Full listings of the leases (the first one, then after compaction or a watch error).', (f) => f.relists);
    this.networkCounter('flannel_watch_resumes_total', 'Lease watches resumed from the last revision after a disconnect.', (f) => f.resumes);
    this.networkCounter('flannel_backend_restarts_total', 'Backend processes restarted after they died or stopped answering.', (f) => f.backendRestarts);
    this.networkCounter('flannel_masq_resyncs_total', 'Periodic ip-masq and forward rule checks done.', (f) => f.masqResyncs);
    const renewals = new Counter({
      name: 'flannel_lease_renewals_total',
      help: 'Renewals of this host\'s lease, by result.',
      labelNames: this.labelNames(['result']),
      registers: [this.registry],
      collect: () => {
        renewals.reset();
        for (const [name, f] of this.figures) {
          renewals.inc({ ...this.labels(name), result: 'ok' }, f.renewalsOk);
          renewals.inc({ ...this.labels(name), result: 'failed' }, f.renewalsFailed);
        }
      },
    });
    const ready = new Gauge({
      name: 'flannel_ready',
      help: 'Whether the daemon is ready (1) or not (0); per network too in multi-network mode.',
      labelNames: this.labelNames([]),
      registers: [this.registry],
      collect: () => {
        ready.reset();
        ready.set(this.o.daemonReady() ? 1 : 0);
        if (this.o.multi) for (const [name, f] of this.figures) ready.set(this.labels(name), f.ready ? 1 : 0);
      },
    });
    this.backend = new BackendSamples(this.registry, o.multi, o.warn);
  }

  /** A network whose figures are read at each scrape; returns its removal. */
  addNetwork(name: string, figures: () => NetworkFigures): () => void {
    this.networks.set(name, figures);
    return () => {
      if (this.networks.get(name) === figures) this.networks.delete(name);
      this.backend.forget(name);
    };
  }

  /** A status message's samples from `network`'s backend process number `generation`. */
  backendSamples(network: string, backend: string, generation: number, metrics: BackendMetrics | undefined): void {
    this.backend.update(network, backend, generation, metrics);
  }

  etcdRequest(op: string, seconds: number): void {
    this.etcdDuration.observe({ op }, seconds);
  }

  /** The text exposition: every network's figures read once, then every metric. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    this.figures = new Map([...this.networks].map(([name, read]) => [name, read()]));
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private networkGauge(name: string, help: string, pick: (f: NetworkFigures) => number | undefined): void {
    const gauge: Gauge = new Gauge({
      name,
      help,
      labelNames: this.labelNames([]),
      registers: [this.registry],
      collect: () => {
        gauge.reset();
        for (const [network, f] of this.figures) {
          const value = pick(f);
          if (value !== undefined) gauge.set(this.labels(network), value);
        }
      },
    });
  }

  private networkCounter(name: string, help: string, pick: (f: NetworkFigures) => number): void {
    const counter: Counter = new Counter({
      name,
      help,
      labelNames: this.labelNames([]),
      registers: [this.registry],
      collect: () => {
        counter.reset();
        for (const [network, f] of this.figures) counter.inc(this.labels(network), pick(f));
      },
    });
  }

  private labelNames(more: string[]): string[] {
    return this.o.multi ? ['network', ...more] : more;
  }

  private labels(network: string): Record<string, string> {
    return this.o.multi ? { network } : {};
  }
}
