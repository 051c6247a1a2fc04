import { formatIP4, formatIP4Net, parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { deleteRoute, eachRoute, replaceRoute, RT_TABLE_MAIN, type RouteInfo, type RouteSpec } from '@flannel-ts/netlink';
import type { KernelRoute, RouteTable, WantedRoute } from './route-table.js';

/** The main IPv4 routing table of this network namespace, through libs/netlink. */
export function netlinkRouteTable(): RouteTable {
  return {
    list: () => kernelRoutes(eachRoute({ table: RT_TABLE_MAIN })),
    replace: (r: WantedRoute) => replaceRoute(routeSpec(r)),
    asChange: (r: WantedRoute) => ({ route: routeSpec(r) }),
    remove: (r: KernelRoute) =>
      deleteRoute({
        dst: formatIP4Net(r.dst),
        table: r.table,
        ...(r.gateway !== undefined ? { gateway: formatIP4(r.gateway) } : {}),
        ...(r.oif !== undefined ? { oif: r.oif } : {}),
      }),
  };
}

function routeSpec(r: WantedRoute): RouteSpec {
  return { dst: formatIP4Net(r.dst), gateway: formatIP4(r.gateway), oif: r.oif, ...(r.onlink ? { onlink: true } : {}) };
}

function* kernelRoutes(routes: Iterable<RouteInfo>): Generator<KernelRoute, void, undefined> {
  for (const route of routes) yield* toKernelRoute(route);
}

export function toKernelRoute(r: RouteInfo): KernelRoute[] {
  if (r.multipath) return [];
  return [
    {
      dst: parseIP4Net(r.dst),
      table: r.table,
      ...(r.gateway ? { gateway: parseIP4(r.gateway) } : {}),
      ...(r.oif !== undefined ? { oif: r.oif } : {}),
    },
  ];
}
