import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseIP4, parseIP4Net, subnetKey } from '@flannel-ts/ip';
import { etcdctlTxn, startEtcd, startTcpProxy, waitFor, type EtcdServer } from '@flannel-ts/testing';
import { EtcdLeaseRegistry, LeaseWatcher, type LeaseEvent } from '../src/index.js';
import { addressOf, memoryLogger, PREFIX } from './helpers.js';

let etcd: EtcdServer;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await etcd?.dispose();
});
beforeEach(async () => {
  await etcd.etcdctl(['del', '--prefix', '/']);
});

const keyOf = (i: number) => `${PREFIX}/subnets/10.${100 + Math.floor(i / 250)}.${i % 250}.0-24`;
const valueOf = (i: number, tag = '') => `{"PublicIP":"192.0.${Math.floor(i / 250)}.${(i % 250) + 1}","PublicIPv6":null${tag}}`;

/** Everything the watcher emitted, counted per subnet and type. */
function recorder() {
  const events: LeaseEvent[] = [];
  const view = new Map<string, string>();
  const apply = (batch: LeaseEvent[]) => {
    for (const ev of batch) {
      events.push(ev);
      const key = `${PREFIX}/subnets/${subnetKey(ev.lease.subnet)}`;
      if (ev.type === 'added') view.set(key, ev.lease.value);
      else view.delete(key);
    }
  };
  const count = (type: LeaseEvent['type'], key: string) =>
    events.filter((e) => e.type === type && `${PREFIX}/subnets/${subnetKey(e.lease.subnet)}` === key).length;
  return { events, view, apply, count };
}

async function etcdView(): Promise<Map<string, string>> {
  const out = JSON.parse(await etcd.etcdctl(['get', '--prefix', `${PREFIX}/subnets/`, '-w', 'json']));
  return new Map(
    (out.kvs ?? []).map((kv: { key: string; value: string }) => [
      Buffer.from(kv.key, 'base64').toString(),
      Buffer.from(kv.value, 'base64').toString(),
    ]),
  );
}

async function startWatcher(endpoint: string | string[], rec: ReturnType<typeof recorder>, wrap?: (r: EtcdLeaseRegistry) => Pick<EtcdLeaseRegistry, 'listLeases' | 'watchLeases'>) {
  const registry = await EtcdLeaseRegistry.connect({ endpoints: [endpoint].flat(), prefix: PREFIX });
  const { log, lines } = memoryLogger();
  const watcher = new LeaseWatcher(wrap ? wrap(registry) : registry, rec.apply, log, 200);
  const abort = new AbortController();
  const running = watcher.run(abort.signal);
  const stop = async () => {
    abort.abort();
    await running;
    registry.close();
  };
  cleanups.push(stop);
  await waitFor(() => watcher.stats.relists === 1, { what: 'the first listing' });
  return { watcher, lines, stop, registry };
}

describe('the lease watch', () => {
  it('applies 500 puts in 4 transactions, then 500 deletes, each exactly once', async () => {
    const rec = recorder();
    await startWatcher(etcd.endpoint, rec);
    for (let t = 0; t < 4; t++) {
      await etcdctlTxn(etcd, Array.from({ length: 125 }, (_, j) => ({ put: [keyOf(t * 125 + j), valueOf(t * 125 + j)] as [string, string] })));
    }
    await waitFor(() => rec.view.size === 500, { what: '500 leases in the view' });
    expect(rec.view).toEqual(await etcdView());
    for (let t = 0; t < 4; t++) {
      await etcdctlTxn(etcd, Array.from({ length: 125 }, (_, j) => ({ del: keyOf(t * 125 + j) })));
    }
    await waitFor(() => rec.view.size === 0, { what: 'an empty view' });
    for (let i = 0; i < 500; i++) {
      expect(rec.count('added', keyOf(i))).toBe(1);
      expect(rec.count('removed', keyOf(i))).toBe(1);
    }
    expect(rec.events).toHaveLength(1000);
  });

  it('delivers a change committed between the listing and the start of the watch', async () => {
    const rec = recorder();
    await etcd.etcdctl(['put', keyOf(1), valueOf(1)]);
    await startWatcher(etcd.endpoint, rec, (r) => ({
      listLeases: async () => {
        const listing = await r.listLeases();
        await etcd.etcdctl(['put', keyOf(2), valueOf(2)]);
        await etcd.etcdctl(['del', keyOf(1)]);
        return listing;
      },
      watchLeases: (from, handlers) => r.watchLeases(from, handlers),
    }));
    await waitFor(() => rec.view.size === 1 && rec.view.has(keyOf(2)), { what: 'the in-between changes' });
    expect(rec.count('added', keyOf(1))).toBe(1);
    expect(rec.count('removed', keyOf(1))).toBe(1);
    expect(rec.count('added', keyOf(2))).toBe(1);
  });

  it('after a cut and a compaction: one re-list and exactly the net changes', async () => {
    for (let i = 0; i < 6; i++) await etcd.etcdctl(['put', keyOf(i), valueOf(i)]);
    const proxy = await startTcpProxy(addressOf(etcd.endpoint));
    cleanups.push(() => proxy.close());
    const rec = recorder();
    const { watcher } = await startWatcher(proxy.endpoint, rec);
    await waitFor(() => rec.view.size === 6, { what: 'the initial view' });
    const before = rec.events.length;
    proxy.cut();
    await etcd.etcdctl(['put', keyOf(10), valueOf(10)]); // added
    await etcd.etcdctl(['del', keyOf(0)]); // removed
    await etcd.etcdctl(['put', keyOf(1), valueOf(1, ',"BackendType":"x"')]); // changed
    await etcd.etcdctl(['put', keyOf(2), valueOf(2)]); // rewritten, same value: no change
    await etcd.etcdctl(['put', keyOf(11), valueOf(11)]);
    await etcd.etcdctl(['del', keyOf(11)]); // came and went: no net change
    const rev = JSON.parse(await etcd.etcdctl(['get', keyOf(10), '-w', 'json'])).header.revision;
    await etcd.etcdctl(['compact', String(rev)]);
    proxy.restore();
    await waitFor(() => watcher.stats.relists === 2 && rec.view.size === 6 && rec.view.has(keyOf(10)), {
      what: 'the re-list after compaction',
    });
    const after = rec.events.slice(before).map((e) => `${e.type} ${subnetKey(e.lease.subnet)}`).sort();
    expect(after).toEqual(['added 10.100.1.0-24', 'added 10.100.10.0-24', 'removed 10.100.0.0-24'].sort());
    expect(rec.view).toEqual(await etcdView());
    expect(watcher.stats.relists).toBe(2);
  });

  it('after a cut without compaction: resumes at the next revision and misses nothing', async () => {
    const proxy = await startTcpProxy(addressOf(etcd.endpoint));
    cleanups.push(() => proxy.close());
    const rec = recorder();
    const { watcher } = await startWatcher(proxy.endpoint, rec);
    proxy.cut();
    for (let i = 0; i < 20; i++) await etcd.etcdctl(['put', keyOf(i), valueOf(i)]);
    await etcd.etcdctl(['del', keyOf(3)]);
    proxy.restore();
    await waitFor(() => rec.view.size === 19, { what: '19 leases' });
    expect(watcher.stats.relists).toBe(1);
    expect(watcher.stats.resumes).toBeGreaterThanOrEqual(1);
    expect(rec.count('added', keyOf(3))).toBe(1);
    expect(rec.count('removed', keyOf(3))).toBe(1);
    expect(rec.view).toEqual(await etcdView());
  });

  it('leaves an endpoint gone silent (no reset), resumes on another at the next revision and renews there', async () => {
    const proxies = await Promise.all([1, 2, 3].map(() => startTcpProxy(addressOf(etcd.endpoint))));
    cleanups.push(() => Promise.all(proxies.map((p) => p.close())));
    const rec = recorder();
    const { watcher, registry } = await startWatcher(proxies.map((p) => p.endpoint), rec);
    const lease = (await registry.createLease(parseIP4Net('10.101.0.0/24'), { publicIp: parseIP4('192.0.2.1') }, 60))!;
    // One endpoint carries everything: the one to silence.
    const used = await waitFor(() => proxies.filter((p) => p.connections() > 0).length === 1 && proxies.find((p) => p.connections() > 0), {
      what: 'one endpoint in use',
    });
    used.blackhole();
    for (let i = 0; i < 20; i++) await etcd.etcdctl(['put', keyOf(i), valueOf(i)]);
    await etcd.etcdctl(['del', keyOf(3)]);
    await waitFor(() => rec.view.size === 20, { what: 'the changes made after the silence' });
    expect(rec.view).toEqual(await etcdView());
    expect(watcher.stats.relists).toBe(1);
    expect(watcher.stats.resumes).toBeGreaterThanOrEqual(1);
    expect(rec.count('added', keyOf(3))).toBe(1);
    expect(rec.count('removed', keyOf(3))).toBe(1);
    expect(await registry.keepAlive(lease.etcdLeaseId)).toBeGreaterThan(0);
    expect(proxies.filter((p) => p !== used && p.connections() > 0)).toHaveLength(1);
  });

  it('delivers changes written after an etcd restart exactly once', async () => {
    const rec = recorder();
    await startWatcher(etcd.endpoint, rec);
    await etcd.etcdctl(['put', keyOf(1), valueOf(1)]);
    await waitFor(() => rec.view.size === 1, { what: 'the first lease' });
    await etcd.restart();
    await etcd.etcdctl(['put', keyOf(2), valueOf(2)]);
    await etcd.etcdctl(['del', keyOf(1)]);
    await waitFor(() => rec.view.size === 1 && rec.view.has(keyOf(2)), { what: 'changes after the restart' });
    expect(rec.count('added', keyOf(1))).toBe(1);
    expect(rec.count('added', keyOf(2))).toBe(1);
    expect(rec.count('removed', keyOf(1))).toBe(1);
  });

  it('skips malformed keys and values with one log line each and keeps watching', async () => {
    const rec = recorder();
    await etcd.etcdctl(['put', `${PREFIX}/subnets/garbage`, valueOf(1)]);
    const { lines } = await startWatcher(etcd.endpoint, rec);
    await etcd.etcdctl(['put', keyOf(5), 'not json']);
    await etcd.etcdctl(['put', keyOf(5), 'not json']);
    await etcd.etcdctl(['put', keyOf(6), '{"PublicIP":"999.1.1.1"}']);
    await etcd.etcdctl(['put', keyOf(7), valueOf(7)]);
    await waitFor(() => rec.view.has(keyOf(7)), { what: 'the valid lease after the bad ones' });
    const skipped = lines().filter((l) => l.startsWith('Skipping lease key'));
    expect(skipped).toHaveLength(3);
    expect(skipped.some((l) => l.includes('/subnets/garbage'))).toBe(true);
    expect(skipped.some((l) => l.includes(keyOf(5)) && l.includes('not JSON'))).toBe(true);
    expect(rec.view.size).toBe(1);
  });

  it('stops when cancelled while the first listing is in flight', async () => {
    const registry = await EtcdLeaseRegistry.connect({ endpoints: [etcd.endpoint], prefix: PREFIX });
    cleanups.push(() => registry.close());
    const abort = new AbortController();
    const { log } = memoryLogger();
    const watcher = new LeaseWatcher(
      {
        listLeases: async () => {
          const listing = await registry.listLeases();
          abort.abort();
          return listing;
        },
        watchLeases: (from, handlers) => registry.watchLeases(from, handlers),
      },
      () => undefined,
      log,
    );
    await expect(watcher.run(abort.signal)).resolves.toBeUndefined();
  });
});
