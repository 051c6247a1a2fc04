import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { containsIP4, formatIP4, formatIP4Net, parseIP4, parseIP4Net, subnetKey } from '@flannel-ts/ip';
import { KeyedReconciler } from './keyed-reconciler.js';
import { routeEntries } from './route-entries.js';
import type { KernelRoute, RouteTable, WantedRoute } from './route-table.js';

const MAIN = 254;
const network = parseIP4Net('10.244.0.0/16');

/** An in-memory route table recording every change made to it. */
function memoryTable(initial: KernelRoute[]): RouteTable & { routes: KernelRoute[]; changes: string[] } {
  const t = {
    routes: [...initial],
    changes: [] as string[],
    list: () => [...t.routes],
    replace(r: WantedRoute) {
      t.routes = t.routes.filter((x) => formatIP4Net(x.dst) !== formatIP4Net(r.dst) || x.table !== MAIN);
      t.routes.push({ dst: r.dst, gateway: r.gateway, oif: r.oif, table: MAIN });
      t.changes.push(`replace ${formatIP4Net(r.dst)} via ${formatIP4(r.gateway)}`);
    },
    remove(r: KernelRoute) {
      // As the kernel: by what the request names, not by which object was listed.
      const named = (x: KernelRoute) => formatIP4Net(x.dst) === formatIP4Net(r.dst) && x.table === r.table && x.gateway === r.gateway && x.oif === r.oif;
      t.routes = t.routes.filter((x) => !named(x));
      t.changes.push(`remove ${formatIP4Net(r.dst)}`);
    },
  };
  return t;
}

const route = (dst: string, gw?: string, oif = 2, table = MAIN): KernelRoute => ({
  dst: parseIP4Net(dst),
  ...(gw ? { gateway: parseIP4(gw) } : {}),
  oif,
  table,
});
const want = (dst: string, gw: string, oif = 2): WantedRoute => ({ dst: parseIP4Net(dst), gateway: parseIP4(gw), oif });

// host-gw's rule: in the network, exactly /24, not our own 10.244.1.0/24, via a gateway on eth (#2).
const owns = (r: KernelRoute) =>
  r.table === MAIN && r.gateway !== undefined && r.oif === 2 && r.dst.prefixLen === 24 &&
  containsIP4(network, r.dst.ip) && formatIP4Net(r.dst) !== '10.244.1.0/24';

const log = pino({ level: 'silent' });
const key = (dst: string) => subnetKey(parseIP4Net(dst));

describe('KeyedReconciler over routes', () => {
  it('adds what is missing, removes owned leftovers and adopts identical routes without touching them', () => {
    const table = memoryTable([route('10.244.2.0/24', '192.0.2.12'), route('10.244.9.0/24', '192.0.2.19')]);
    const r = new KeyedReconciler({ table: routeEntries(table, owns), log });
    r.setAll([want('10.244.2.0/24', '192.0.2.12'), want('10.244.3.0/24', '192.0.2.13')]);
    expect(r.reconcile()).toEqual({ added: 1, removed: 1, kept: 1, failed: 0 });
    expect(table.changes.sort()).toEqual(['remove 10.244.9.0/24', 'replace 10.244.3.0/24 via 192.0.2.13']);
    table.changes.length = 0;
    expect(r.reconcile()).toEqual({ added: 0, removed: 0, kept: 2, failed: 0 });
    expect(table.changes).toEqual([]);
  });

  it('moves a route whose gateway changed in place, without deleting it first', () => {
    const table = memoryTable([route('10.244.2.0/24', '192.0.2.12')]);
    const r = new KeyedReconciler({ table: routeEntries(table, owns), log });
    r.set(want('10.244.2.0/24', '192.0.2.22'));
    expect(r.reconcile()).toMatchObject({ added: 1, removed: 0 });
    expect(table.changes).toEqual(['replace 10.244.2.0/24 via 192.0.2.22']);
  });

  it('never touches routes it does not own, through many passes', () => {
    const foreign = [
      route('0.0.0.0/0', '192.0.2.1'),
      route('10.244.0.0/16', undefined, 5),
      route('10.244.7.0/25', '192.0.2.17'),
      route('10.244.8.0/24', '192.0.2.18', 3),
      route('10.244.1.0/24', '192.0.2.11'),
      route('10.244.4.0/24', '192.0.2.14', 2, 100),
      route('10.245.2.0/24', '192.0.2.12'),
    ];
    const table = memoryTable(foreign);
    const r = new KeyedReconciler({ table: routeEntries(table, owns), log });
    r.set(want('10.244.3.0/24', '192.0.2.13'));
    for (let i = 0; i < 50; i++) r.reconcile();
    expect(table.changes).toEqual(['replace 10.244.3.0/24 via 192.0.2.13']);
    for (const f of foreign) expect(table.routes).toContain(f);
  });

  it('removes a route once it is no longer wanted, and reports failures without stopping', () => {
    const table = memoryTable([]);
    let fail = true;
    const flaky: RouteTable = {
      list: table.list,
      remove: table.remove,
      replace: (w) => {
        if (fail && formatIP4Net(w.dst) === '10.244.5.0/24') throw new Error('Network is unreachable');
        table.replace(w);
      },
    };
    const r = new KeyedReconciler({ table: routeEntries(flaky, owns), log });
    r.setAll([want('10.244.5.0/24', '198.51.100.5'), want('10.244.6.0/24', '192.0.2.16')]);
    expect(r.reconcile()).toEqual({ added: 1, removed: 0, kept: 0, failed: 1 });
    fail = false;
    expect(r.reconcile()).toEqual({ added: 1, removed: 0, kept: 1, failed: 0 });
    r.delete(key('10.244.6.0/24'));
    expect(r.reconcile()).toEqual({ added: 0, removed: 1, kept: 1, failed: 0 });
    expect(table.routes.map((x) => formatIP4Net(x.dst))).toEqual(['10.244.5.0/24']);
  });

  it('reconciles single destinations from its view without listing the table again', () => {
    const table = memoryTable([route('10.244.2.0/24', '192.0.2.12')]);
    let lists = 0;
    const counted: RouteTable = { ...table, list: () => (lists++, table.list()) };
    const removed: string[] = [];
    const r = new KeyedReconciler({ table: routeEntries(counted, owns), log, onRemoved: (x) => removed.push(formatIP4Net(x.dst)) });
    r.set(want('10.244.2.0/24', '192.0.2.12'));
    expect(r.reconcile()).toMatchObject({ kept: 1 });
    r.set(want('10.244.3.0/24', '192.0.2.13'));
    expect(r.reconcileOnly([key('10.244.3.0/24')])).toEqual({ added: 1, removed: 0, kept: 0, failed: 0 });
    r.delete(key('10.244.2.0/24'));
    expect(r.reconcileOnly([key('10.244.2.0/24')])).toEqual({ added: 0, removed: 1, kept: 0, failed: 0 });
    // Its own change is in its view: a repeat does nothing.
    expect(r.reconcileOnly([key('10.244.3.0/24'), key('10.244.2.0/24')])).toEqual({ added: 0, removed: 0, kept: 1, failed: 0 });
    expect(lists).toBe(1);
    expect(removed).toEqual(['10.244.2.0/24']);
    expect(table.routes.map((x) => formatIP4Net(x.dst))).toEqual(['10.244.3.0/24']);
  });
});
