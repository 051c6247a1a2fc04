// The route manager against a real etcd, driving a recording CloudRouteTable double. The real cloud
// libs behind the same interface are tested against the fake clouds.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { etcdctlTxn, startEtcd, startTcpProxy, waitFor, type EtcdServer } from '@flannel-ts/testing';
import { RecordingTable } from './recording-table.js';
import { CONFIG, keyOf, PREFIX, routeName, startManager, valueOf, type RunningManager } from './manager-harness.js';

let etcd: EtcdServer;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.dispose();
});
beforeEach(async () => {
  await etcd.etcdctl(['del', '--prefix', '/']);
  await etcd.etcdctl(['put', `${PREFIX}/config`, CONFIG]);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function manager(...args: Parameters<typeof startManager>): RunningManager {
  const m = startManager(...args);
  cleanups.push(() => m.stop());
  return m;
}

const putLeases = (from: number, to: number) =>
  etcdctlTxn(etcd, Array.from({ length: to - from + 1 }, (_, j) => ({ put: [keyOf(from + j), valueOf(from + j)] as [string, string] })));

describe('flannel-route-manager', () => {
  it('N leases → N routes: one listing, one insert per lease, the original log lines', async () => {
    await putLeases(1, 20);
    const m = manager(etcd.endpoint);
    await m.converged(etcd);
    expect(m.table.calls.filter((c) => c === 'list')).toHaveLength(1);
    expect(m.table.calls.filter((c) => c.startsWith('insert')).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `insert ${routeName(i + 1)}`).sort());
    expect(m.lines[0]).toBe('starting fleet route manager...');
    expect(m.lines).toContain('reconciler starting...');
    expect(m.lines).toContain(`reconciler: inserted ${routeName(7)}`);
    await waitFor(() => m.lines.includes('reconciler done'), { what: 'reconciler done' });
  });

  it('a deleted lease costs one delete, a moved lease one delete + one insert, an added lease one insert; no listing', async () => {
    await putLeases(1, 5);
    const m = manager(etcd.endpoint);
    await m.converged(etcd);
    const seen = m.table.calls.length;
    await etcd.etcdctl(['del', keyOf(2)]);
    await m.converged(etcd);
    await etcd.etcdctl(['put', keyOf(3), valueOf(33)]);
    await m.converged(etcd);
    await etcd.etcdctl(['put', keyOf(6), valueOf(6)]);
    await m.converged(etcd);
    expect(m.table.calls.slice(seen)).toEqual([`delete ${routeName(2)}`, `delete ${routeName(3)}`, `insert ${routeName(3)}`, `insert ${routeName(6)}`]);
    expect(m.lines).toContain(`monitor: deleted ${routeName(2)}`);
    expect(m.lines).toContain(`monitor: inserted ${routeName(6)}`);
    expect(m.table.state()['10.244.3.0/24']).toBe('192.0.2.33');
  });

  it('a lease that expires in etcd has its route deleted', async () => {
    await putLeases(1, 2);
    const m = manager(etcd.endpoint);
    await m.converged(etcd);
    const granted = await etcd.etcdctl(['lease', 'grant', '2']);
    const id = /lease ([0-9a-f]+) granted/.exec(granted)![1]!;
    await etcd.etcdctl(['put', keyOf(3), valueOf(3), `--lease=${id}`]);
    // Kept alive until its route is there, however slow the machine; then left to expire.
    await waitFor(
      async () => {
        if (m.table.routes.has(routeName(3))) return true;
        await etcd.etcdctl(['lease', 'keep-alive', '--once', id]);
        return false;
      },
      { what: 'the route of the short-lived lease' },
    );
    await waitFor(() => !m.table.routes.has(routeName(3)), { what: 'the route of the expired lease to be deleted' });
    await m.converged(etcd);
    expect(Object.keys(m.table.state())).toEqual(['10.244.1.0/24', '10.244.2.0/24']);
    expect(m.lines).toContain(`monitor: deleted ${routeName(3)}`);
  });

  it('converges after a burst of changes with an etcd compaction in the middle (cut watch, re-list)', async () => {
    await putLeases(1, 30);
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(etcd.endpoint).port) });
    cleanups.push(() => proxy.close());
    const m = manager(proxy.endpoint);
    await m.converged(etcd);
    await putLeases(31, 60);
    for (let i = 1; i <= 10; i++) await etcd.etcdctl(['put', keyOf(i), valueOf(100 + i)]);
    proxy.cut();
    await etcdctlTxn(etcd, Array.from({ length: 20 }, (_, j) => ({ del: keyOf(11 + j) })));
    await putLeases(61, 80);
    const rev = JSON.parse(await etcd.etcdctl(['get', keyOf(61), '-w', 'json'])).header.revision;
    await etcd.etcdctl(['compact', String(rev)]);
    proxy.restore();
    for (let i = 31; i <= 40; i++) await etcd.etcdctl(['del', keyOf(i)]);
    await m.converged(etcd);
    expect(m.lines.some((l) => l.includes('re-listing'))).toBe(true);
    expect(Object.keys(m.table.state())).toHaveLength(50);
  });

  it('retries failed cloud operations with backoff and converges', async () => {
    await putLeases(1, 5);
    const table = new RecordingTable();
    table.failNext('list', 2);
    table.failNext('insert', 3);
    const m = manager(etcd.endpoint, {}, table);
    await m.converged(etcd);
    table.failNext('delete', 2);
    await etcd.etcdctl(['del', keyOf(1)]);
    await m.converged(etcd);
    expect(table.calls.filter((c) => c.endsWith('!'))).toHaveLength(7);
    expect(m.lines.filter((l) => l.startsWith('Syncing the routes of test route table failed (trying again in')).length).toBeGreaterThanOrEqual(3);
  });

  it('repairs a route deleted by someone else at the next sync interval', async () => {
    await putLeases(1, 3);
    const m = manager(etcd.endpoint, { syncIntervalMs: 200 });
    await m.converged(etcd);
    m.table.routes.delete(routeName(2));
    m.table.routes.set('flannel-test-stale', { name: 'flannel-test-stale', subnet: '10.244.99.0/24', publicIp: '192.0.2.99' });
    await m.converged(etcd);
    expect(m.lines).toContain(`reconciler: inserted ${routeName(2)}`);
    expect(m.lines).toContain('reconciler: deleted flannel-test-stale');
  });

  it('routes one subnet per PublicIP and says so once', async () => {
    await etcd.etcdctl(['put', keyOf(1), valueOf(1)]);
    await etcd.etcdctl(['put', keyOf(2), valueOf(1)]);
    const m = manager(etcd.endpoint, { syncIntervalMs: 200 });
    await waitFor(() => m.table.routes.size === 1, { what: 'one route' });
    await waitFor(() => m.sync().stats.lists >= 3, { what: 'three reconciler passes' });
    expect(m.table.state()).toEqual({ '10.244.2.0/24': '192.0.2.1' });
    expect(m.lines.filter((l) => l.startsWith('PublicIP 192.0.2.1 holds the leases'))).toHaveLength(1);
  });

  it('-delete-all-routes deletes only the routes it owns and exits 0; 1 when one cannot be deleted', async () => {
    const table = new RecordingTable();
    for (const i of [1, 2, 3]) table.routes.set(routeName(i), { name: routeName(i), subnet: `10.244.${i}.0/24`, publicIp: `192.0.2.${i}` });
    table.foreign.set('default-route', { name: 'default-route', subnet: '0.0.0.0/0', publicIp: undefined });
    table.failNext('delete', 1);
    const m = startManager(etcd.endpoint, { deleteAllRoutes: true }, table);
    expect(await m.exit).toBe(0);
    expect(table.routes.size).toBe(0);
    expect(table.foreign.has('default-route')).toBe(true);
    const deleting = m.lines.indexOf('deleting all routes');
    expect(m.lines.slice(deleting).filter((l) => l.startsWith('deleted: ')).sort()).toEqual([1, 2, 3].map((i) => `deleted: ${routeName(i)}`));
    expect(table.calls.filter((c) => c.startsWith('delete')).sort()).toEqual([`delete ${routeName(1)} !`, ...[1, 2, 3].map((i) => `delete ${routeName(i)}`)].sort());

    const stuck = new RecordingTable();
    stuck.routes.set(routeName(4), { name: routeName(4), subnet: '10.244.4.0/24', publicIp: '192.0.2.4' });
    stuck.failNext('delete', 5);
    const failing = startManager(etcd.endpoint, { deleteAllRoutes: true }, stuck);
    expect(await failing.exit).toBe(1);
    expect(failing.lines.at(-1)).toMatch(/^deleting flannel-test-10-244-4-0-24 failed: gave up after 5 tries: delete: 503 backendError$/);
  });
});
