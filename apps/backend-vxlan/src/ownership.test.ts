import { describe, expect, it } from 'vitest';
import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { NUD_NOARP, NUD_PERMANENT, NUD_REACHABLE, NTF_SELF, type NeighInfo } from '@flannel-ts/netlink';
import type { KernelRoute } from '@flannel-ts/route-reconciler';
import { ownsFdb, ownsNeigh, ownsRoute, type OwnershipScope } from './ownership.js';

const scope: OwnershipScope = {
  config: { network: parseIP4Net('10.244.0.0/16'), subnetLen: 24 },
  own: parseIP4Net('10.244.1.0/24'),
  vxlanIndex: 5,
  extIndex: 2,
};
const route = (dst: string, oif: number, gw?: string, table = 254): KernelRoute => ({
  dst: parseIP4Net(dst),
  oif,
  table,
  ...(gw ? { gateway: parseIP4(gw) } : {}),
});
const neigh = (n: Partial<NeighInfo>): NeighInfo => ({ index: 5, family: 'inet', ip: '10.244.2.0', mac: '0a:00:00:00:00:02', state: NUD_PERMANENT, flags: 0, ...n });
const fdb = (n: Partial<NeighInfo>): NeighInfo => neigh({ family: 'bridge', ip: '192.0.2.12', state: NUD_PERMANENT | NUD_NOARP, flags: NTF_SELF, ...n });

describe('what the vxlan backend owns', () => {
  it('routes: peer subnets of the network on flannel.<VNI>, or via a gateway on the external interface', () => {
    expect(ownsRoute(scope, route('10.244.2.0/24', 5, '10.244.2.0'))).toBe(true);
    expect(ownsRoute(scope, route('10.244.2.0/24', 5))).toBe(true);
    expect(ownsRoute(scope, route('10.244.2.0/24', 2, '192.0.2.12'))).toBe(true);
    expect(ownsRoute(scope, route('10.244.2.0/24', 2))).toBe(false); // no gateway on the external interface
    expect(ownsRoute(scope, route('10.244.1.0/24', 5, '10.244.1.0'))).toBe(false); // our own subnet
    expect(ownsRoute(scope, route('10.244.2.0/25', 5, '10.244.2.0'))).toBe(false); // another length
    expect(ownsRoute(scope, route('10.245.2.0/24', 5, '10.245.2.0'))).toBe(false); // outside the network
    expect(ownsRoute(scope, route('10.244.2.0/24', 7, '10.9.0.1'))).toBe(false); // another device
    expect(ownsRoute(scope, route('10.244.2.0/24', 5, '10.244.2.0', 100))).toBe(false); // another table
  });

  it('neighbours: permanent ARP entries on flannel.<VNI> for network addresses outside our subnet', () => {
    expect(ownsNeigh(scope, neigh({}))).toBe(true);
    expect(ownsNeigh(scope, neigh({ ip: '10.244.1.7' }))).toBe(false);
    expect(ownsNeigh(scope, neigh({ ip: '10.9.0.7' }))).toBe(false);
    expect(ownsNeigh(scope, neigh({ state: NUD_REACHABLE }))).toBe(false);
    expect(ownsNeigh(scope, neigh({ state: NUD_NOARP }))).toBe(false);
    expect(ownsNeigh(scope, neigh({ index: 2 }))).toBe(false);
    expect(ownsNeigh(scope, fdb({}))).toBe(false);
  });

  it('fdb entries: permanent, unicast MAC with a remote, on flannel.<VNI>', () => {
    expect(ownsFdb(scope, fdb({}))).toBe(true);
    expect(ownsFdb(scope, fdb({ mac: '00:00:00:00:00:00' }))).toBe(false);
    expect(ownsFdb(scope, fdb({ mac: '01:00:5e:00:00:01' }))).toBe(false);
    expect(ownsFdb(scope, fdb({ state: NUD_REACHABLE }))).toBe(false);
    const { ip: _ip, ...noRemote } = fdb({});
    expect(ownsFdb(scope, noRemote)).toBe(false);
    expect(ownsFdb(scope, fdb({ index: 6 }))).toBe(false);
    expect(ownsFdb(scope, neigh({}))).toBe(false);
  });
});
