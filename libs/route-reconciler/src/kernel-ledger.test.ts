import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { KernelLedger } from './kernel-ledger.js';
import type { KeyedTable } from './keyed-reconciler.js';

interface Route {
  readonly dst: string;
  readonly via: string;
}

/** Routes by destination in a Map; `refuse` makes the kernel refuse adds. */
function routeMap(): KeyedTable<Route, Route> & { kernel: Map<string, Route>; refuse: boolean } {
  const kernel = new Map<string, Route>();
  const t = {
    kernel,
    refuse: false,
    list: () => [...kernel.values()],
    owns: () => true,
    keyOf: (r: Route) => r.dst,
    matches: (p: Route, w: Route) => p.via === w.via,
    replace(w: Route) {
      if (t.refuse) throw Object.assign(new Error('EPERM'), { code: 'EPERM' });
      kernel.set(w.dst, w);
    },
    asPresent: (w: Route) => w,
    remove: (p: Route) => void kernel.delete(p.dst),
    describe: (r: Route) => `route ${r.dst} via ${r.via}`,
  };
  return t;
}

const log = pino({ level: 'silent' });
const sample = (ledger: KernelLedger, name: string, labels: Record<string, string>) =>
  ledger.samples().find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;

describe('KernelLedger', () => {
  it('counts what periodic and triggered passes re-add as repairs, not what lease and peer events add', () => {
    const table = routeMap();
    let told = 0;
    const ledger = new KernelLedger(() => told++);
    const routes = ledger.reconciler('route', { table, log });
    routes.setAll([{ dst: '10.244.2.0/24', via: '192.0.2.12' }, { dst: '10.244.3.0/24', via: '192.0.2.13' }]);

    ledger.passStarted('snapshot');
    routes.reconcile();
    expect(ledger.report()).toEqual({ wanted: 2, present: 2, missing: [], repaired: [] });

    table.kernel.delete('10.244.3.0/24');
    ledger.passStarted('triggered');
    routes.reconcile();
    const report = ledger.report();
    expect(report.repaired.map((r) => r.entry)).toEqual(['route 10.244.3.0/24 via 192.0.2.13']);
    expect(Number.isNaN(Date.parse(report.repaired[0]!.at))).toBe(false);
    expect(told).toBe(1);
    expect(sample(ledger, 'flannel_backend_kernel_repairs_total', { kind: 'route' })).toBe(1);
    expect(sample(ledger, 'flannel_backend_reconcile_passes_total', { reason: 'triggered' })).toBe(1);
    expect(sample(ledger, 'flannel_backend_reconcile_passes_total', { reason: 'snapshot' })).toBe(1);
    expect(sample(ledger, 'flannel_backend_kernel_entries', { kind: 'route' })).toBe(2);
  });

  it('reports what the kernel refused as missing, and keeps only the last 20 repairs', () => {
    const table = routeMap();
    const ledger = new KernelLedger();
    const routes = ledger.reconciler('route', { table, log });
    routes.setAll([{ dst: '10.244.2.0/24', via: '192.0.2.12' }]);
    ledger.passStarted('periodic');
    for (let i = 0; i < 25; i++) {
      table.kernel.clear();
      routes.reconcile();
    }
    expect(ledger.report().repaired).toHaveLength(20);
    expect(sample(ledger, 'flannel_backend_kernel_repairs_total', { kind: 'route' })).toBe(25);

    table.refuse = true;
    table.kernel.clear();
    routes.reconcile();
    expect(ledger.report()).toMatchObject({ wanted: 1, present: 0, missing: ['route 10.244.2.0/24 via 192.0.2.12'] });
  });
});
