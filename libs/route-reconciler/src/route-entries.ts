import { formatIP4, formatIP4Net, subnetKey } from '@flannel-ts/ip';
import type { KeyedTable } from './keyed-reconciler.js';
import type { KernelRoute, RouteTable, WantedRoute } from './route-table.js';

const MAIN_TABLE = 254;

/**
 * Routes as keyed entries: one per destination, right when gateway and interface match. `owns`
 * says which kernel routes the backend manages (its "kernel state we own"); replace() puts a route
 * in the main table.
 */
export function routeEntries(table: RouteTable, owns: (route: KernelRoute) => boolean): KeyedTable<WantedRoute, KernelRoute> {
  return {
    list: () => table.list(),
    owns,
    keyOf: (r) => subnetKey(r.dst),
    matches: (route, want) => route.gateway === want.gateway && route.oif === want.oif,
    sameEntry: (a, b) => a.dst.ip === b.dst.ip && a.dst.prefixLen === b.dst.prefixLen && a.gateway === b.gateway && a.oif === b.oif && a.table === b.table,
    replace: (want) => table.replace(want),
    ...(table.asChange ? { asChange: table.asChange.bind(table) } : {}),
    asPresent: (want) => ({ dst: want.dst, gateway: want.gateway, oif: want.oif, table: MAIN_TABLE }),
    remove: (route) => table.remove(route),
    describe: (r) => `route ${describeRoute(r)}`,
  };
}

function describeRoute(r: KernelRoute | WantedRoute): string {
  const via = r.gateway === undefined ? '' : ` via ${formatIP4(r.gateway)}`;
  const dev = r.oif === undefined ? '' : ` dev #${r.oif}`;
  return `${formatIP4Net(r.dst)}${via}${dev}`;
}
