// Multi-network mode's view of etcd: which networks exist under the prefix, and each one's leases.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseIP4 } from '@flannel-ts/ip';
import { startEtcd, waitFor, type EtcdServer } from '@flannel-ts/testing';
import { EtcdLeaseRegistry, NetworkWatcher, type NetworkChange } from '../src/index.js';
import { memoryLogger, PREFIX, range } from './helpers.js';

let etcd: EtcdServer;
let root: EtcdLeaseRegistry;
const config = (network: string) => JSON.stringify({ Network: network, Backend: { Type: 'alloc' } });

beforeAll(async () => {
  etcd = await startEtcd();
  root = await EtcdLeaseRegistry.connect({ endpoints: [etcd.endpoint], prefix: PREFIX });
});
afterAll(async () => {
  root?.close();
  await etcd?.dispose();
});
beforeEach(async () => {
  await etcd.etcdctl(['del', '--prefix', '/']);
});

describe('the etcd network registry', () => {
  it('lists the names that have a config key, nothing else under the prefix', async () => {
    await etcd.etcdctl(['put', `${PREFIX}/blue/config`, config('10.1.0.0/16')]);
    await etcd.etcdctl(['put', `${PREFIX}/green/config`, config('10.2.0.0/16')]);
    await etcd.etcdctl(['put', `${PREFIX}/red/subnets/10.3.1.0-24`, '{"PublicIP":"192.0.2.1"}']);
    await etcd.etcdctl(['put', `${PREFIX}/config`, config('10.9.0.0/16')]);
    await etcd.etcdctl(['put', `${PREFIX}/a/b/config`, config('10.8.0.0/16')]);
    await etcd.etcdctl(['put', `${PREFIX}x/other/config`, config('10.7.0.0/16')]);
    const listing = await root.networks().listNetworks();
    expect(listing.names.sort()).toEqual(['blue', 'green']);
    expect(BigInt(listing.revision)).toBeGreaterThan(0n);
  });

  it("gives each network a lease store of its own under <prefix>/<name>, on the registry's connection", async () => {
    await etcd.etcdctl(['put', `${PREFIX}/blue/config`, config('10.1.0.0/16')]);
    const networks = root.networks();
    const blue = networks.managerFor('blue');
    expect(blue.prefix).toBe(`${PREFIX}/blue`);
    expect(await blue.getConfig()).toBe(config('10.1.0.0/16'));
    const { log } = memoryLogger();
    const lease = await blue.acquireLease(range('10.1.0.0/16', 24, '10.1.1.0', '10.1.255.0'), { publicIp: parseIP4('192.0.2.7') }, { ttlSeconds: 60, log });
    expect(await etcd.etcdctl(['get', '--prefix', '--keys-only', `${PREFIX}/blue/subnets/`])).toContain(`${PREFIX}/blue/subnets/10.1.`);
    // Closing one network's store leaves the shared connection to the others.
    blue.close();
    expect(await networks.managerFor('blue').renewLease(lease)).toBeGreaterThan(0);
  });

  it('watches networks come and go, without gaps, reporting only changes', async () => {
    await etcd.etcdctl(['put', `${PREFIX}/blue/config`, config('10.1.0.0/16')]);
    const seen: NetworkChange[] = [];
    const { log } = memoryLogger();
    const watcher = new NetworkWatcher(root.networks(), (changes) => seen.push(...changes), log, 200);
    const abort = new AbortController();
    const running = watcher.run(abort.signal);
    try {
      await waitFor(() => seen.length === 1, { what: 'the listed network' });
      expect(seen).toEqual([{ type: 'added', name: 'blue' }]);
      await etcd.etcdctl(['put', `${PREFIX}/green/config`, config('10.2.0.0/16')]);
      await etcd.etcdctl(['put', `${PREFIX}/green/subnets/10.2.1.0-24`, '{"PublicIP":"192.0.2.1"}']);
      await etcd.etcdctl(['del', `${PREFIX}/blue/config`]);
      await etcd.etcdctl(['del', `${PREFIX}/nothing/config`]);
      await waitFor(() => seen.length === 3, { what: 'green added, blue removed' });
      expect(seen.slice(1)).toEqual([
        { type: 'added', name: 'green' },
        { type: 'removed', name: 'blue' },
      ]);
      expect([...watcher.names()]).toEqual(['green']);
    } finally {
      abort.abort();
      await running;
    }
  });

  it('after compaction re-lists and reports only the difference', async () => {
    await etcd.etcdctl(['put', `${PREFIX}/blue/config`, config('10.1.0.0/16')]);
    const seen: NetworkChange[] = [];
    const { log } = memoryLogger();
    // The registry's watch is held back until etcd has compacted past where it would start.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const networks = root.networks();
    const gated = {
      listNetworks: () => networks.listNetworks(),
      watchNetworks: async (from: string, handlers: Parameters<typeof networks.watchNetworks>[1]) => {
        await held;
        return networks.watchNetworks(from, handlers);
      },
    };
    const watcher = new NetworkWatcher(gated, (changes) => seen.push(...changes), log, 200);
    const abort = new AbortController();
    const running = watcher.run(abort.signal);
    try {
      await waitFor(() => seen.length === 1, { what: 'the listed network' });
      await etcd.etcdctl(['put', `${PREFIX}/green/config`, config('10.2.0.0/16')]);
      await etcd.etcdctl(['del', `${PREFIX}/blue/config`]);
      const status = JSON.parse(await etcd.etcdctl(['endpoint', 'status', '-w', 'json']));
      await etcd.etcdctl(['compaction', String(status[0].Status.header.revision)]);
      release();
      await waitFor(() => watcher.stats.relists === 2 && seen.length === 3, { what: 're-listed after compaction' });
      expect(seen.slice(1).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
        { type: 'removed', name: 'blue' },
        { type: 'added', name: 'green' },
      ]);
    } finally {
      abort.abort();
      await running;
    }
  });
});
