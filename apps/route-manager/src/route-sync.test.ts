import { afterEach, describe, expect, it } from 'vitest';
import { parseIP4, parseIP4Net, subnetKey } from '@flannel-ts/ip';
import type { Lease } from '@flannel-ts/subnet';
import { waitFor } from '@flannel-ts/testing';
import { RecordingTable } from '../test/recording-table.js';
import { RouteSync } from './route-sync.js';

const scope = { network: parseIP4Net('10.244.0.0/16'), subnetLen: 24 };
let revision = 100;
const lease = (i: number, host = i): Lease => ({
  subnet: parseIP4Net(`10.244.${i}.0/24`),
  attrs: { publicIp: parseIP4(`192.0.2.${host}`) },
  etcdLeaseId: '7',
  modRevision: String(revision++),
  value: `{"PublicIP":"192.0.2.${host}"}`,
});
const name = (i: number) => RecordingTable.nameOf(`10.244.${i}.0/24`);

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function harness(n: number, concurrency?: number) {
  const leases = new Map<string, Lease>();
  const put = (l: Lease) => leases.set(subnetKey(l.subnet), l);
  for (let i = 1; i <= n; i++) put(lease(i));
  const table = new RecordingTable();
  const lines: string[] = [];
  const abort = new AbortController();
  const sync = new RouteSync({
    table,
    leases: () => leases.values(),
    scope,
    log: { info: (m) => lines.push(m), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) },
    signal: abort.signal,
    firstRetryMs: 1,
    maxRetryMs: 4,
    ...(concurrency ? { concurrency } : {}),
  });
  const running = sync.run(3_600_000);
  running.catch(() => undefined);
  stops.push(async () => {
    abort.abort();
    await running.catch(() => undefined);
  });
  const wanted = () => Object.fromEntries([...leases.values()].map((l) => [`10.244.${(l.subnet.ip >>> 8) & 255}.0/24`, `192.0.2.${l.attrs.publicIp & 255}`]).sort());
  const converged = () => waitFor(() => sync.stats.lists > 0 && JSON.stringify(table.state()) === JSON.stringify(wanted()), { what: 'the table to hold exactly the wanted routes' });
  return { leases, put, table, lines, sync, running, converged };
}

describe('RouteSync', () => {
  it('starts with one listing and one insert per lease, the reconciler logging as the original', async () => {
    const h = harness(3);
    await h.converged();
    expect(h.table.calls).toEqual(['list', `insert ${name(1)}`, `insert ${name(2)}`, `insert ${name(3)}`]);
    expect(h.lines).toEqual(['reconciler starting...', ...[1, 2, 3].map((i) => `reconciler: inserted ${name(i)}`), 'reconciler done']);
  });

  it('applies a changed lease with exactly its calls and no listing: added, removed, moved', async () => {
    const h = harness(3);
    await h.converged();
    const seen = h.table.calls.length;

    h.put(lease(4));
    h.sync.changed();
    await h.converged();
    h.leases.delete(subnetKey(parseIP4Net('10.244.1.0/24')));
    h.sync.changed();
    await h.converged();
    h.put(lease(2, 22));
    h.sync.changed();
    await h.converged();

    expect(h.table.calls.slice(seen)).toEqual([`insert ${name(4)}`, `delete ${name(1)}`, `delete ${name(2)}`, `insert ${name(2)}`]);
    expect(h.lines.slice(-4)).toEqual([`monitor: inserted ${name(4)}`, `monitor: deleted ${name(1)}`, `monitor: deleted ${name(2)}`, `monitor: inserted ${name(2)}`]);
    expect(h.table.state()['10.244.2.0/24']).toBe('192.0.2.22');
  });

  it('folds a burst of changes into few passes that still converge, without listing', async () => {
    const h = harness(2);
    await h.converged();
    const seen = h.table.calls.length;
    for (let i = 3; i <= 40; i++) {
      h.put(lease(i));
      h.sync.changed();
    }
    for (let i = 3; i <= 40; i += 2) {
      h.leases.delete(subnetKey(parseIP4Net(`10.244.${i}.0/24`)));
      h.sync.changed();
    }
    await h.converged();
    const calls = h.table.calls.slice(seen);
    expect(calls).not.toContain('list');
    // Never more than one insert per lease that was ever added, one delete per removal.
    expect(calls.filter((c) => c.startsWith('insert')).length).toBeLessThanOrEqual(38);
    expect(calls.filter((c) => c.startsWith('delete')).length).toBeLessThanOrEqual(19);
  });

  it('retries a failed pass with backoff as a fresh listing, then converges', async () => {
    const h = harness(0);
    await h.converged();
    h.table.failNext('insert', 2);
    for (let i = 1; i <= 3; i++) h.put(lease(i));
    h.sync.changed();
    await h.converged();
    expect(h.sync.stats.failedPasses).toBeGreaterThanOrEqual(1);
    expect(h.lines.filter((l) => l.startsWith('error Syncing the routes of test route table failed (trying again in'))).not.toEqual([]);
    // Every retry started from a listing, and no route was inserted twice.
    const afterFailure = h.table.calls.slice(h.table.calls.findIndex((c) => c.endsWith('!')));
    expect(afterFailure.filter((c) => c === 'list').length).toBeGreaterThanOrEqual(1);
    const inserted = h.table.calls.filter((c) => c.startsWith('insert') && !c.endsWith('!'));
    expect(new Set(inserted).size).toBe(inserted.length);
  });

  it('retries through a listing, which also repairs a route someone deleted', async () => {
    const h = harness(2);
    await h.converged();
    h.table.routes.delete(name(1));
    h.table.failNext('list', 1);
    h.put(lease(3));
    h.sync.changed();
    // The monitor pass inserts 3; it does not know 1 is gone. A failing pass turns into listings.
    h.table.failNext('insert', 1);
    h.leases.delete(subnetKey(parseIP4Net('10.244.3.0/24')));
    h.put(lease(3, 33));
    h.sync.changed();
    await h.converged();
    expect(h.table.routes.has(name(1))).toBe(true);
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    const h = harness(30, 4);
    await h.converged();
    expect(h.table.maxInFlight).toBeLessThanOrEqual(4);
    expect(h.table.maxInFlight).toBeGreaterThan(1);
  });

  it('ends run() on a bug of the table instead of retrying it', async () => {
    const h = harness(1);
    await h.converged();
    h.table.failNext('insert', 1, new TypeError("Cannot read properties of undefined (reading 'items')"));
    h.put(lease(2));
    h.sync.changed();
    await expect(h.running).rejects.toThrow("Cannot read properties of undefined (reading 'items')");
  });
});
