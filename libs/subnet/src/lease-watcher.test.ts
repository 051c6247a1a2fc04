import { describe, expect, it } from 'vitest';
import { formatIP4, formatIP4Net, parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { createLogger } from '@flannel-ts/log';
import type { LeaseListing, WatchHandlers } from './lease-registry.js';
import type { Lease, LeaseEvent } from './lease.js';
import { LeaseWatcher } from './lease-watcher.js';

function lease(subnet: string, publicIp: string, modRevision = '5'): Lease {
  return { subnet: parseIP4Net(subnet), attrs: { publicIp: parseIP4(publicIp) }, etcdLeaseId: '7', modRevision, value: `{"PublicIP":"${publicIp}"}` };
}

describe('LeaseWatcher.useListing', () => {
  it('takes in a handed listing at once, with the lease written since, and run() watches on from its revision without listing', async () => {
    const seen: string[] = [];
    let listings = 0;
    let watchedFrom: string | undefined;
    const registry = {
      listLeases: async (): Promise<LeaseListing> => {
        listings++;
        return { leases: [], skipped: [], revision: '1' };
      },
      watchLeases: async (from: string, handlers: WatchHandlers) => {
        watchedFrom = from;
        handlers.onStarted?.();
        return { cancel: async () => undefined };
      },
    };
    const describeEvents = (events: LeaseEvent[]) => events.map((e) => `${e.type} ${formatIP4Net(e.lease.subnet)} ${formatIP4(e.lease.attrs.publicIp)}`);
    const log = createLogger({ name: 'test', verbosity: 0, format: 'json', destination: { write: () => undefined } });
    const watcher = new LeaseWatcher(registry, (events) => seen.push(...describeEvents(events)), log, 100, (all, revision) => seen.push(`listed ${all.size} at ${revision}`));

    const own = lease('10.1.2.0/24', '192.0.2.10', '42');
    watcher.useListing({ leases: [lease('10.1.1.0/24', '192.0.2.11'), lease('10.1.2.0/24', '192.0.2.10')], skipped: [], revision: '41' }, own);
    expect(seen).toEqual(['added 10.1.1.0/24 192.0.2.11', 'added 10.1.2.0/24 192.0.2.10', 'listed 2 at 41']);
    expect(watcher.leases().get('10.1.2.0-24')).toBe(own);

    const abort = new AbortController();
    const running = watcher.run(abort.signal);
    await expect.poll(() => watchedFrom).toBe('42');
    abort.abort();
    await running;
    expect(listings).toBe(0);
    expect(seen).toHaveLength(3);
  });
});
