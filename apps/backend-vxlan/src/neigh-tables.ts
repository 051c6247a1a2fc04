import { deleteNeigh, eachNeigh, NUD_PERMANENT, replaceNeigh, type NeighInfo } from '@flannel-ts/netlink';
import type { KeyedTable } from '@flannel-ts/route-reconciler';
import { ownsFdb, ownsNeigh, type OwnershipScope } from './ownership.js';

/** `ip neigh replace <ip> lladdr <mac> dev flannel.<VNI> nud permanent`. */
export interface WantedArp {
  readonly ip: string;
  readonly mac: string;
}

/** `bridge fdb replace <mac> dev flannel.<VNI> dst <dst> self permanent`. */
export interface WantedFdb {
  readonly mac: string;
  readonly dst: string;
}

/** The ARP entries of flannel.<VNI>, through libs/netlink. `scope` is read on every call. */
export function arpTable(scope: () => OwnershipScope, devName: string): KeyedTable<WantedArp, NeighInfo> {
  const spec = (want: WantedArp) => ({ index: scope().vxlanIndex, family: 'inet' as const, ip: want.ip, mac: want.mac, state: NUD_PERMANENT });
  return {
    list: () => eachNeigh('inet', scope().vxlanIndex),
    owns: (n) => ownsNeigh(scope(), n),
    keyOf: (e) => e.ip ?? '',
    matches: (n, want) => n.mac === want.mac,
    sameEntry: sameNeigh,
    replace: (want) => replaceNeigh(spec(want)),
    asChange: (want) => ({ neigh: spec(want) }),
    // A literal, not a spread of spec(): V8's lite mode gave each spread copy a hidden class of its own.
    asPresent: (want) => ({ index: scope().vxlanIndex, family: 'inet', ip: want.ip, mac: want.mac, state: NUD_PERMANENT, flags: 0 }),
    remove: (n) => deleteNeigh({ index: n.index, family: 'inet', ip: n.ip! }),
    describe: (e) => `neighbour ${e.ip ?? '?'} lladdr ${e.mac ?? '?'} dev ${devName}`,
  };
}

/** The fdb entries of flannel.<VNI>, through libs/netlink. `scope` is read on every call. */
export function fdbTable(scope: () => OwnershipScope, devName: string): KeyedTable<WantedFdb, NeighInfo> {
  const spec = (want: WantedFdb) => ({ index: scope().vxlanIndex, family: 'bridge' as const, ip: want.dst, mac: want.mac, state: NUD_PERMANENT });
  return {
    list: () => eachNeigh('bridge', scope().vxlanIndex),
    owns: (n) => ownsFdb(scope(), n),
    keyOf: (e) => e.mac ?? '',
    matches: (n, want) => n.ip === want.dst,
    sameEntry: sameNeigh,
    replace: (want) => replaceNeigh(spec(want)),
    asChange: (want) => ({ neigh: spec(want) }),
    asPresent: (want) => ({ index: scope().vxlanIndex, family: 'bridge', ip: want.dst, mac: want.mac, state: NUD_PERMANENT, flags: 0 }),
    remove: (n) => deleteNeigh({ index: n.index, family: 'bridge', mac: n.mac!, ...(n.ip !== undefined ? { ip: n.ip } : {}) }),
    describe: (e) => `fdb entry ${e.mac ?? '?'} dst ${'dst' in e ? e.dst : (e.ip ?? '?')} dev ${devName}`,
  };
}

function sameNeigh(a: NeighInfo, b: NeighInfo): boolean {
  return a.index === b.index && a.family === b.family && a.ip === b.ip && a.mac === b.mac && a.state === b.state && a.flags === b.flags;
}
