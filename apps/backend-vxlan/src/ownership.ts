import { containsIP4, parseIP4, sameNet, type IP4Net } from '@flannel-ts/ip';
import { NUD_PERMANENT, RT_TABLE_MAIN, type NeighInfo } from '@flannel-ts/netlink';
import type { NetworkEssentials } from '@flannel-ts/backend-protocol';
import type { KernelRoute } from '@flannel-ts/route-reconciler';
import { isUnicastMac } from './mac.js';

/** What identifies this daemon's kernel state: its network, its own subnet and its two links. */
export interface OwnershipScope {
  readonly config: Pick<NetworkEssentials, 'network' | 'subnetLen'>;
  readonly own: IP4Net;
  readonly vxlanIndex: number;
  readonly extIndex: number;
}

/**
 * The routes vxlan owns (docs/compat.md, Backends): in the main table, to a subnet of the
 * network of exactly SubnetLen other than our own, on flannel.<VNI>, or via a gateway on the
 * external interface (DirectRouting). Go flanneld's routes have that shape, so they are adopted.
 */
export function ownsRoute({ config, own, vxlanIndex, extIndex }: OwnershipScope, r: KernelRoute): boolean {
  return (
    r.table === RT_TABLE_MAIN &&
    r.dst.prefixLen === config.subnetLen &&
    containsIP4(config.network, r.dst.ip) &&
    !sameNet(r.dst, own) &&
    (r.oif === vxlanIndex || (r.gateway !== undefined && r.oif === extIndex))
  );
}

/** Permanent ARP entries on flannel.<VNI> for an address of the network outside our own subnet. */
export function ownsNeigh({ config, own, vxlanIndex }: OwnershipScope, n: NeighInfo): boolean {
  if (n.family !== 'inet' || n.index !== vxlanIndex || (n.state & NUD_PERMANENT) === 0 || n.ip === undefined) return false;
  const ip = parseIP4(n.ip);
  return containsIP4(config.network, ip) && !containsIP4(own, ip);
}

/** Permanent fdb entries on flannel.<VNI> for a unicast MAC with a remote VTEP. */
export function ownsFdb({ vxlanIndex }: OwnershipScope, n: NeighInfo): boolean {
  return (
    n.family === 'bridge' &&
    n.index === vxlanIndex &&
    (n.state & NUD_PERMANENT) !== 0 &&
    n.ip !== undefined &&
    n.mac !== undefined &&
    isUnicastMac(n.mac)
  );
}
