import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIP4, formatIP4Net, parseIP4, subnetKey } from '@flannel-ts/ip';
import { startEtcd, startTcpProxy, waitFor, type EtcdServer } from '@flannel-ts/testing';
import { EtcdLeaseRegistry, EtcdSubnetManager, LeaseKeeper, LeaseWatcher, type Lease } from '../src/index.js';
import { addressOf, memoryLogger, PREFIX, range } from './helpers.js';

let etcd: EtcdServer;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await etcd?.dispose();
});

const net16 = range('10.1.0.0/16', 24, '10.1.1.0', '10.1.255.0');

/** A keeper plus the watcher feeding it, as the daemon wires them. */
async function startKeeper(endpoint: string, publicIp: string, ttlMs: number, renewMarginMs: number) {
  const registry = await EtcdLeaseRegistry.connect({ endpoints: [endpoint], prefix: PREFIX });
  const { log, lines } = memoryLogger();
  const changes: Array<{ lease: Lease; previous: Lease }> = [];
  const keeper = new LeaseKeeper({
    manager: new EtcdSubnetManager(registry),
    range: net16,
    attrs: { publicIp: parseIP4(publicIp) },
    ttlMs,
    renewMarginMs,
    log,
    retryMs: 200,
    onLeaseChanged: async (lease, previous) => void changes.push({ lease, previous }),
  });
  const abort = new AbortController();
  const first = await keeper.acquire(abort.signal);
  const watcher = new LeaseWatcher(registry, (events) => keeper.observe(events), log, 200);
  const running = Promise.all([keeper.run(abort.signal), watcher.run(abort.signal)]);
  cleanups.push(async () => {
    abort.abort();
    await running;
    registry.close();
  });
  return { keeper, first, changes, lines, stop: async () => { abort.abort(); await running; } };
}

async function ownerOf(subnetKeyText: string): Promise<string | undefined> {
  const out = await etcd.etcdctl(['get', `${PREFIX}/subnets/${subnetKeyText}`, '--print-value-only']);
  return out.trim() ? JSON.parse(out).PublicIP : undefined;
}

// Waits that span a 10 s TTL (renewals, expiry, the keeper's own clock): ten times that as the hang guard.
const TTL_HANG_GUARD_MS = 150_000;

describe('keeping a lease', () => {
  it('renews a short-TTL lease before it expires, past several TTLs', async () => {
    const { first, lines } = await startKeeper(etcd.endpoint, '192.0.2.21', 10_000, 7_000);
    const key = subnetKey(first.subnet);
    await waitFor(() => lines().filter((l) => l.startsWith('Lease renewed')).length >= 4, {
      timeoutMs: TTL_HANG_GUARD_MS,
      what: 'four renewals',
    });
    // 4 renewals every ~3 s take longer than the 10 s TTL: the key only survives if they worked.
    expect(await ownerOf(key)).toBe('192.0.2.21');
    const ttl = await etcd.etcdctl(['lease', 'timetolive', BigInt(first.etcdLeaseId).toString(16)]);
    const remaining = Number(/remaining\((\d+)s\)/.exec(ttl)?.[1]);
    expect(remaining).toBeGreaterThan(0);
  });

  it('notices its lease revoked behind its back and re-acquires the same subnet', async () => {
    const { keeper, first, changes, lines } = await startKeeper(etcd.endpoint, '192.0.2.22', 3_600_000, 60_000);
    await etcd.etcdctl(['lease', 'revoke', BigInt(first.etcdLeaseId).toString(16)]);
    await waitFor(() => changes.length === 1, { what: 'the lease to be re-acquired' });
    expect(formatIP4Net(changes[0]!.lease.subnet)).toBe(formatIP4Net(first.subnet));
    expect(keeper.lease?.etcdLeaseId).not.toBe(first.etcdLeaseId);
    expect(await ownerOf(subnetKey(first.subnet))).toBe('192.0.2.22');
    expect(lines().some((l) => l.startsWith(`Lease ${formatIP4Net(first.subnet)} lost`))).toBe(true);
  });

  it('with etcd unreachable past the TTL: notices on its own clock, then moves when another host took the subnet', async () => {
    const proxy = await startTcpProxy(addressOf(etcd.endpoint));
    cleanups.push(() => proxy.close());
    const { first, changes, lines } = await startKeeper(proxy.endpoint, '192.0.2.23', 10_000, 2_500);
    proxy.cut();
    // etcd expires the key after the TTL; another host takes the subnet meanwhile.
    const key = `${PREFIX}/subnets/${subnetKey(first.subnet)}`;
    await waitFor(async () => (await ownerOf(subnetKey(first.subnet))) === undefined, {
      timeoutMs: TTL_HANG_GUARD_MS,
      what: 'etcd to expire the lease',
    });
    await etcd.etcdctl(['put', key, '{"PublicIP":"192.0.2.99","PublicIPv6":null}']);
    await waitFor(() => lines().some((l) => l.includes('expired before it could be renewed')), {
      timeoutMs: TTL_HANG_GUARD_MS,
      what: 'the keeper’s own expiry clock to fire',
    });
    proxy.restore();
    await waitFor(() => changes.length === 1, { what: 'a new lease' });
    const moved = changes[0]!.lease;
    expect(formatIP4Net(moved.subnet)).not.toBe(formatIP4Net(first.subnet));
    expect(await ownerOf(subnetKey(moved.subnet))).toBe('192.0.2.23');
    expect(await ownerOf(subnetKey(first.subnet))).toBe('192.0.2.99');
    expect(lines().some((l) => l.startsWith('Lease changed:'))).toBe(true);
  });

  it('with etcd unreachable past the TTL and the subnet still free: gets the same subnet back', async () => {
    const proxy = await startTcpProxy(addressOf(etcd.endpoint));
    cleanups.push(() => proxy.close());
    const { first, changes } = await startKeeper(proxy.endpoint, '192.0.2.24', 10_000, 2_500);
    proxy.cut();
    await waitFor(async () => (await ownerOf(subnetKey(first.subnet))) === undefined, {
      timeoutMs: TTL_HANG_GUARD_MS,
      what: 'etcd to expire the lease',
    });
    proxy.restore();
    await waitFor(() => changes.length === 1, { timeoutMs: TTL_HANG_GUARD_MS, what: 'the lease to be re-acquired' });
    expect(formatIP4Net(changes[0]!.lease.subnet)).toBe(formatIP4Net(first.subnet));
    expect(formatIP4(changes[0]!.lease.attrs.publicIp)).toBe('192.0.2.24');
  });
  it('hands its listing to the watcher on a restart that reuses the lease: one listing, no false loss, real losses still seen', async () => {
    // A prefix of its own: the keepers of the tests before hold random subnets of PREFIX, and one holding
    // 10.1.78.0/24 would put the later lease in the view before the watch showed the rewrite.
    const prefix = '/keeper-handover.test/network';
    // The lease this host held before the restart.
    const granted = /lease ([0-9a-f]+) granted/.exec(await etcd.etcdctl(['lease', 'grant', '3600']))![1]!;
    await etcd.etcdctl(['put', `--lease=${granted}`, `${prefix}/subnets/10.1.77.0-24`, '{"PublicIP":"192.0.2.25"}']);
    const registry = await EtcdLeaseRegistry.connect({ endpoints: [etcd.endpoint], prefix });
    const { log, lines } = memoryLogger();
    let listings = 0;
    const counted = { listLeases: () => (listings++, registry.listLeases()), watchLeases: registry.watchLeases.bind(registry) };
    const changes: Lease[] = [];
    const watcher = new LeaseWatcher(counted, (events) => keeper.observe(events), log, 200);
    const keeper = new LeaseKeeper({
      manager: new EtcdSubnetManager(registry),
      range: net16,
      attrs: { publicIp: parseIP4('192.0.2.25') },
      ttlMs: 3_600_000,
      renewMarginMs: 60_000,
      log,
      retryMs: 200,
      onLeaseChanged: async (lease) => void changes.push(lease),
      onListing: (listing) => watcher.useListing(listing),
    });
    const abort = new AbortController();
    const first = await keeper.acquire(abort.signal);
    expect(formatIP4Net(first.subnet)).toBe('10.1.77.0/24');
    const running = Promise.all([keeper.run(abort.signal), watcher.run(abort.signal)]);
    cleanups.push(async () => {
      abort.abort();
      await running;
      registry.close();
    });
    // The handed listing holds the lease as it was before the reuse rewrote it; the watch then shows the rewrite.
    await etcd.etcdctl(['put', `${prefix}/subnets/10.1.78.0-24`, '{"PublicIP":"192.0.2.26"}']);
    await waitFor(() => watcher.leases().has('10.1.78.0-24'), { what: 'a later lease in the view' });
    expect(watcher.leases().get('10.1.77.0-24')?.etcdLeaseId).toBe(first.etcdLeaseId);
    expect(listings).toBe(0);
    expect(changes).toEqual([]);
    expect(lines().filter((l) => l.includes(' lost'))).toEqual([]);
    // A real loss is still seen through the watch.
    await etcd.etcdctl(['lease', 'revoke', BigInt(first.etcdLeaseId).toString(16)]);
    await waitFor(() => changes.length === 1, { what: 'the lease to be re-acquired' });
    expect(formatIP4Net(changes[0]!.subnet)).toBe('10.1.77.0/24');
  });
});
