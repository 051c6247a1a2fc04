import { containsIP4, formatIP4, formatIP4Net, type IP4Net } from '@flannel-ts/ip';
import type { Lease } from '@flannel-ts/subnet';

/** Which leases get a route: `SubnetLen` subnets of the network, as flanneld's own rule. */
export interface LeaseScope {
  readonly network: IP4Net;
  readonly subnetLen: number;
}

export interface WantedRoutes {
  /** PublicIP → subnet, ordered by subnet. */
  readonly routes: Map<string, string>;
  /** Why a lease got no route (out of scope, or its PublicIP also holds a newer lease); log each once. */
  readonly notes: string[];
}

/**
 * The routes every lease asks for: its subnet → its PublicIP, one subnet per PublicIP as in the
 * original (a route's next hop can take one destination per host). When two leases share a PublicIP
 * (a host that re-leased while its old lease runs out), the most recently written wins, ties going
 * to the lower subnet, so every pass chooses the same one.
 */
export function wantedRoutes(leases: Iterable<Lease>, scope: LeaseScope): WantedRoutes {
  const notes: string[] = [];
  const byIp = new Map<string, Lease[]>();
  for (const lease of leases) {
    const { subnet } = lease;
    if (subnet.prefixLen !== scope.subnetLen || !containsIP4(scope.network, subnet.ip)) {
      notes.push(`Skipping lease ${formatIP4Net(subnet)}: not a /${scope.subnetLen} subnet of ${formatIP4Net(scope.network)}`);
      continue;
    }
    const ip = formatIP4(lease.attrs.publicIp);
    byIp.set(ip, [...(byIp.get(ip) ?? []), lease]);
  }
  const chosen: Array<[string, Lease]> = [];
  for (const [ip, held] of byIp) {
    const [winner] = [...held].sort(newestFirst);
    chosen.push([ip, winner!]);
    if (held.length > 1) {
      const all = [...held].sort(bySubnet).map((l) => formatIP4Net(l.subnet)).join(', ');
      notes.push(`PublicIP ${ip} holds the leases ${all}; routing only the newest, ${formatIP4Net(winner!.subnet)}`);
    }
  }
  chosen.sort(([, a], [, b]) => bySubnet(a, b));
  return { routes: new Map(chosen.map(([ip, lease]) => [ip, formatIP4Net(lease.subnet)])), notes };
}

function bySubnet(a: Lease, b: Lease): number {
  return a.subnet.ip - b.subnet.ip || a.subnet.prefixLen - b.subnet.prefixLen;
}

function newestFirst(a: Lease, b: Lease): number {
  const ra = BigInt(a.modRevision);
  const rb = BigInt(b.modRevision);
  return ra > rb ? -1 : ra < rb ? 1 : bySubnet(a, b);
}
