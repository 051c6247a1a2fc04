import { describe, expect, it } from 'vitest';
import type { MetricSample } from '@flannel-ts/backend-protocol';
import { parseMetricsText } from '@flannel-ts/testing';
import { FlannelMetrics, type NetworkFigures } from './flannel-metrics.js';

const passes = (value: number, reason = 'periodic'): MetricSample => ({
  name: 'flannel_backend_reconcile_passes_total',
  type: 'counter',
  help: 'Reconcile passes.',
  labels: { reason },
  value,
});
const entries = (value: number): MetricSample => ({ name: 'flannel_backend_kernel_entries', type: 'gauge', help: 'Entries.', labels: { kind: 'route' }, value });

function metrics(multi = false) {
  const warnings: string[] = [];
  const m = new FlannelMetrics({ multi, daemonReady: () => true, warn: (line) => warnings.push(line), processMetrics: false });
  const scrape = async () => parseMetricsText((await m.exposition()).body);
  return { m, warnings, scrape };
}

const figures: NetworkFigures = {
  leases: 3,
  subnetsFree: 252,
  leaseExpirySeconds: 86_000,
  renewalsOk: 2,
  renewalsFailed: 1,
  relists: 1,
  resumes: 4,
  backendRestarts: 1,
  masqResyncs: 7,
  ready: true,
};

describe('FlannelMetrics', () => {
  it('exports the network figures read at scrape time, with a network label in multi-network mode', async () => {
    const single = metrics();
    single.m.addNetwork('', () => figures);
    single.m.etcdRequest('range', 0.002);
    const s = await single.scrape();
    expect(s.value('flannel_leases')).toBe(3);
    expect(s.value('flannel_subnets_free')).toBe(252);
    expect(s.value('flannel_lease_renewals_total', { result: 'failed' })).toBe(1);
    expect(s.value('flannel_watch_resumes_total')).toBe(4);
    expect(s.value('flannel_ready')).toBe(1);
    expect(s.typeOf('flannel_backend_restarts_total')).toBe('COUNTER');
    expect(s.count('flannel_etcd_request_duration_seconds', { op: 'range' })).toBe(1);

    const multi = metrics(true);
    const remove = multi.m.addNetwork('blue', () => ({ ...figures, leases: 5 }));
    expect((await multi.scrape()).value('flannel_leases', { network: 'blue' })).toBe(5);
    remove();
    expect((await multi.scrape()).value('flannel_leases', { network: 'blue' })).toBeUndefined();
  });

  it('keeps a backend counter rising across backend restarts and drops a dead process\'s gauges', async () => {
    const { m, scrape } = metrics();
    m.backendSamples('', 'vxlan', 0, { schema: 1, samples: [passes(10), entries(4)] });
    let s = await scrape();
    expect(s.value('flannel_backend_reconcile_passes_total', { reason: 'periodic', backend: 'vxlan' })).toBe(10);
    expect(s.value('flannel_backend_kernel_entries', { kind: 'route' })).toBe(4);

    m.backendSamples('', 'vxlan', 1, { schema: 1, samples: [passes(3)] });
    s = await scrape();
    expect(s.value('flannel_backend_reconcile_passes_total', { reason: 'periodic' })).toBe(13);
    expect(s.value('flannel_backend_kernel_entries', { kind: 'route' })).toBeUndefined();

    // A counter that went back within one generation was reset too: what it counted stays.
    m.backendSamples('', 'vxlan', 1, { schema: 1, samples: [passes(1)] });
    expect((await scrape()).value('flannel_backend_reconcile_passes_total', { reason: 'periodic' })).toBe(14);
  });

  it('labels backend samples with the network in multi-network mode', async () => {
    const { m, scrape } = metrics(true);
    m.backendSamples('blue', 'host-gw', 0, { schema: 1, samples: [passes(2)] });
    m.backendSamples('green', 'vxlan', 0, { schema: 1, samples: [passes(5)] });
    const s = await scrape();
    expect(s.value('flannel_backend_reconcile_passes_total', { network: 'blue', backend: 'host-gw' })).toBe(2);
    expect(s.value('flannel_backend_reconcile_passes_total', { network: 'green', backend: 'vxlan' })).toBe(5);
  });

  it('skips malformed samples and unknown schemas, saying so once each', async () => {
    const { m, warnings, scrape } = metrics();
    const bad: MetricSample[] = [
      { name: 'go_goroutines', type: 'gauge', help: 'x', value: 1 },
      { name: 'flannel_leases', type: 'gauge', help: 'x', value: 1 },
      { name: 'flannel_x_total', type: 'counter', help: 'x', labels: { backend: 'y' }, value: 1 },
      { name: 'flannel_y_total', type: 'counter', help: 'x', value: -1 },
    ];
    m.backendSamples('', 'udp', 0, { schema: 1, samples: bad });
    m.backendSamples('', 'udp', 0, { schema: 1, samples: bad });
    m.backendSamples('', 'udp', 0, { schema: 2 as 1, samples: [passes(1)] });
    m.backendSamples('', 'udp', 0, { schema: 2 as 1, samples: [passes(1)] });
    expect(warnings).toHaveLength(5);
    const s = await scrape();
    expect(s.value('go_goroutines')).toBeUndefined();
    expect(s.value('flannel_x_total')).toBeUndefined();
    expect(s.value('flannel_backend_reconcile_passes_total')).toBeUndefined();
  });
});
