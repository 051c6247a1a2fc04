import { formatIP4, formatIP4Net, sameNet, type IP4Net } from '@flannel-ts/ip';
import type { SnapshotRoute } from '@flannel-ts/iface';

/**
 * A route that already sends flannel's subnet via a gateway (a stale host-gw route, say): Docker's
 * bridge on that subnet would not get the traffic, so mk-docker-opts refuses. Described like `ip route`.
 */
export function findGatewayRouteFor(subnet: IP4Net, routes: readonly SnapshotRoute[]): string | undefined {
  const route = routes.find((r) => r.gateway !== undefined && sameNet(r.dst, subnet));
  if (route === undefined) return undefined;
  const metric = route.metric === 0 ? '' : ` metric ${route.metric}`;
  return `${formatIP4Net(route.dst)} via ${formatIP4(route.gateway as number)} dev ${route.iface}${metric}`;
}
