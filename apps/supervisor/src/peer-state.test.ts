import { describe, expect, it } from 'vitest';
import { formatIP4Net, parseIP4, parseIP4Net, subnetKey } from '@flannel-ts/ip';
import { createLogger } from '@flannel-ts/log';
import type { Lease, LeaseEvent } from '@flannel-ts/subnet';
import { PeerState, type PeerSink } from './peer-state.js';

const OWN_IP = '192.0.2.11';

function lease(subnet: string, publicIp: string, value = `{"PublicIP":"${publicIp}"}`): Lease {
  return { subnet: parseIP4Net(subnet), attrs: { publicIp: parseIP4(publicIp) }, etcdLeaseId: '7', modRevision: '1', value };
}

function harness() {
  const snapshots: string[][] = [];
  const changes: string[][] = [];
  const lines: string[] = [];
  const sink: PeerSink = {
    peersSnapshot: (peers) => void snapshots.push(peers.map((p) => formatIP4Net(p.subnet))),
    peersChanged: (events) => void changes.push(events.map((e) => `${e.type === 'added' ? '+' : '-'}${formatIP4Net(e.lease.subnet)}`)),
  };
  const log = createLogger({
    name: 'test',
    verbosity: 0,
    format: 'json',
    // A burst of lines comes in one write.
    destination: { write: (text: string) => text.split('\n').filter(Boolean).forEach((l) => lines.push(JSON.parse(l).msg)) },
  });
  const state = new PeerState({ network: parseIP4Net('10.244.0.0/16'), subnetLen: 24, publicIp: parseIP4(OWN_IP) }, sink, log);
  const listing = (...leases: Lease[]) => new Map(leases.map((l) => [subnetKey(l.subnet), l]));
  const added = (l: Lease): LeaseEvent => ({ type: 'added', lease: l });
  const removed = (l: Lease): LeaseEvent => ({ type: 'removed', lease: l });
  return { state, snapshots, changes, lines, listing, added, removed };
}

describe('PeerState', () => {
  it('passes leases of the right shape and keeps out its own, by subnet and by public IP', () => {
    const h = harness();
    h.state.setOwn(parseIP4Net('10.244.1.0/24'));
    h.state.listed(h.listing(lease('10.244.1.0/24', '192.0.2.99'), lease('10.244.2.0/24', '192.0.2.12'), lease('10.244.3.0/24', OWN_IP)));
    expect(h.snapshots).toEqual([['10.244.2.0/24']]);
    // Our lease re-acquired elsewhere shows up before setOwn: still not a peer.
    h.state.changed([h.added(lease('10.244.9.0/24', OWN_IP)), h.added(lease('10.244.4.0/24', '192.0.2.13'))]);
    expect(h.changes).toEqual([['+10.244.4.0/24']]);
    expect(h.lines.filter((l) => l.startsWith('Not routing'))).toEqual([]);
  });

  it('skips leases that are not a SubnetLen subnet inside Network, with one line each and a count', () => {
    const h = harness();
    h.state.setOwn(parseIP4Net('10.244.1.0/24'));
    h.state.listed(h.listing());
    const bad = [lease('10.244.1.0/25', '192.0.2.20'), lease('10.244.0.0/16', '192.0.2.21'), lease('10.9.0.0/24', '192.0.2.22')];
    h.state.changed(bad.map(h.added));
    h.state.changed(bad.map(h.added)); // the same values again: no new lines
    expect(h.changes).toEqual([]);
    expect(h.lines).toEqual([
      'Not routing lease 10.244.1.0/25 of 192.0.2.20: it is not a /24 inside the network 10.244.0.0/16',
      'Not routing lease 10.244.0.0/16 of 192.0.2.21: it is not a /24 inside the network 10.244.0.0/16',
      'Not routing lease 10.9.0.0/24 of 192.0.2.22: it is not a /24 inside the network 10.244.0.0/16',
    ]);
    expect(h.state.skipped).toBe(3);
    // Their removal does not reach the backend either.
    h.state.changed(bad.map(h.removed));
    expect(h.changes).toEqual([]);
    expect(h.state.peers()).toEqual([]);
  });

  it('lets back a lease that overlapped the old own subnet once ours moved', () => {
    const h = harness();
    h.state.setOwn(parseIP4Net('10.244.1.0/24'));
    h.state.listed(h.listing(lease('10.244.1.0/24', '192.0.2.99')));
    expect(h.snapshots).toEqual([[]]);
    h.state.setOwn(parseIP4Net('10.244.5.0/24'));
    expect(h.state.peers().map((p) => formatIP4Net(p.subnet))).toEqual(['10.244.1.0/24']);
  });

  it('hands peers with a lease only when the set the backend has was judged against another subnet', () => {
    const h = harness();
    expect(h.state.forLease(parseIP4Net('10.244.1.0/24'))).toBeUndefined(); // no listing yet: not "no peers"
    h.state.listed(h.listing(lease('10.244.2.0/24', '192.0.2.12'), lease('10.244.5.0/24', '192.0.2.99')));
    expect(h.snapshots).toEqual([['10.244.2.0/24', '10.244.5.0/24']]);
    // The listing was judged against 10.244.1.0/24 already.
    expect(h.state.forLease(parseIP4Net('10.244.1.0/24'))).toBeUndefined();
    // Moved onto a subnet another host holds: that one is no peer from here on.
    expect(h.state.forLease(parseIP4Net('10.244.5.0/24'))?.map((p) => formatIP4Net(p.subnet))).toEqual(['10.244.2.0/24']);
    expect(h.state.forLease(parseIP4Net('10.244.5.0/24'))).toBeUndefined();
  });

  it('holds events back until the first listing', () => {
    const h = harness();
    h.state.changed([h.added(lease('10.244.4.0/24', '192.0.2.13'))]);
    expect(h.changes).toEqual([]);
    h.state.listed(h.listing(lease('10.244.4.0/24', '192.0.2.13')));
    expect(h.snapshots).toEqual([['10.244.4.0/24']]);
  });
  it("logs the first listing's Subnet added lines once its snapshot is on its way and the lease applied, later ones at once", async () => {
    const lines: string[] = [];
    let writes = 0;
    let handedOver!: () => void;
    const sink: PeerSink = {
      peersSnapshot: () => new Promise<void>((resolve) => (handedOver = resolve)),
      peersChanged: () => undefined,
    };
    const log = createLogger({
      name: 'test',
      verbosity: 0,
      format: 'json',
      destination: {
        write: (text: string) => {
          writes++;
          text.split('\n').filter(Boolean).forEach((l) => lines.push(JSON.parse(l).msg));
        },
      },
    });
    const state = new PeerState({ network: parseIP4Net('10.244.0.0/16'), subnetLen: 24, publicIp: parseIP4(OWN_IP) }, sink, log);
    const first = [lease('10.244.2.0/24', '192.0.2.12'), lease('10.244.3.0/24', '192.0.2.13')];
    // The watcher's first listing: its events, then the listing itself.
    state.changed(first.map((l): LeaseEvent => ({ type: 'added', lease: l })));
    state.listed(new Map(first.map((l) => [subnetKey(l.subnet), l])));
    expect(lines).toEqual([]);
    handedOver();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([]);
    state.leaseApplied();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual(['Subnet added: 10.244.2.0/24 via 192.0.2.12', 'Subnet added: 10.244.3.0/24 via 192.0.2.13']);
    // Thousands of them at a large join: one write, not one each.
    expect(writes).toBe(1);
    state.changed([{ type: 'removed', lease: first[0]! }]);
    expect(lines.at(-1)).toBe('Subnet removed: 10.244.2.0/24 via 192.0.2.12');
  });
});
