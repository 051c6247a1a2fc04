import { containsIP4, sameNet, type IP4Net } from '@flannel-ts/ip';
import { RT_TABLE_MAIN } from '@flannel-ts/netlink';
import type { NetworkEssentials } from '@flannel-ts/backend-protocol';
import type { KernelRoute } from '@flannel-ts/route-reconciler';

/**
 * The routes host-gw owns (docs/compat.md, Backends): in the main table, to a subnet of the
 * flannel network of exactly SubnetLen other than our own, via a gateway on the external interface.
 * Go flanneld's routes have that shape too, so they are adopted; nothing else is ever touched.
 */
export function hostGwOwnership(config: NetworkEssentials, own: IP4Net, extIndex: number): (r: KernelRoute) => boolean {
  return (r) =>
    r.table === RT_TABLE_MAIN &&
    r.gateway !== undefined &&
    r.oif === extIndex &&
    r.dst.prefixLen === config.subnetLen &&
    containsIP4(config.network, r.dst.ip) &&
    !sameNet(r.dst, own);
}
