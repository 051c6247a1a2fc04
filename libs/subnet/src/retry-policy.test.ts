// The keeper and the watcher retry what the registry reports as the world's failure, and end on a bug.
import { describe, expect, it } from 'vitest';
import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { createLogger } from '@flannel-ts/log';
import { RetryableError } from '@flannel-ts/retry';
import { LeaseKeeper } from './lease-keeper.js';
import type { LeaseRegistry } from './lease-registry.js';
import { EtcdSubnetManager } from './etcd-subnet-manager.js';
import { LeaseWatcher } from './lease-watcher.js';

function logger() {
  const lines: string[] = [];
  const log = createLogger({ name: 'test', verbosity: 0, format: 'json', destination: { write: (l: string) => void lines.push(JSON.parse(l).msg) } });
  return { lines, log };
}

/** A registry (our own seam) whose listing fails with `failures` in turn, then lists nothing. */
function failingRegistry(failures: Error[]): LeaseRegistry {
  const unused = () => Promise.reject(new Error('not used by this test'));
  return {
    prefix: '/coreos.com/network',
    getConfig: unused,
    listLeases: async () => {
      const failure = failures.shift();
      if (failure) throw failure;
      return { leases: [], skipped: [], revision: '5' };
    },
    createLease: async (subnet, attrs) => ({ subnet, attrs, etcdLeaseId: '9', modRevision: '6', value: '{}' }),
    replaceLease: unused,
    grantTtl: unused,
    dropTtl: () => undefined,
    deleteLease: unused,
    reserve: unused,
    unreserve: unused,
    timeToLive: unused,
    keepAlive: unused,
    watchLeases: unused,
    close: () => undefined,
  };
}

const range = { network: parseIP4Net('10.244.0.0/16'), subnetLen: 24, subnetMin: parseIP4('10.244.1.0'), subnetMax: parseIP4('10.244.255.0') };

function keeperOn(registry: LeaseRegistry, log: ReturnType<typeof logger>['log']) {
  return new LeaseKeeper({
    manager: new EtcdSubnetManager(registry),
    range,
    attrs: { publicIp: parseIP4('192.0.2.1') },
    ttlMs: 60_000,
    renewMarginMs: 10_000,
    log,
    retryMs: 1,
    onLeaseChanged: async () => undefined,
  });
}

describe('the retry policy of the keeper and the watcher', () => {
  it('keeper: retries an unreachable registry, then leases', async () => {
    const { lines, log } = logger();
    const keeper = keeperOn(failingRegistry([new RetryableError('etcd: listing leases: 14 UNAVAILABLE'), new RetryableError('again')]), log);
    const lease = await keeper.acquire(new AbortController().signal);
    expect(lease.subnet.prefixLen).toBe(24);
    expect(lines.filter((l) => l.startsWith('Failed to acquire subnet'))).toHaveLength(2);
  });

  it('keeper: a bug ends acquire at once instead of an endless "will retry"', async () => {
    const { lines, log } = logger();
    const keeper = keeperOn(failingRegistry([new TypeError("Cannot read properties of undefined (reading 'kvs')")]), log);
    await expect(keeper.acquire(new AbortController().signal)).rejects.toBeInstanceOf(TypeError);
    expect(lines.filter((l) => l.startsWith('Failed to acquire subnet'))).toEqual([]);
  });

  it('watcher: a bug ends run() instead of being retried', async () => {
    const { lines, log } = logger();
    const watcher = new LeaseWatcher(failingRegistry([new RangeError('Invalid array length')]), () => undefined, log, 1);
    await expect(watcher.run(new AbortController().signal)).rejects.toBeInstanceOf(RangeError);
    expect(lines).toEqual([]);
  });
});
