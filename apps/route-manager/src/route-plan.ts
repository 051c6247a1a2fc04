import type { CloudRoute } from '@flannel-ts/cloud-routes';

/** A route the manager wants: `subnet` → the host whose address is `publicIp`. */
export interface WantedRoute {
  readonly subnet: string;
  readonly publicIp: string;
}

/** What turns the owned routes into the wanted ones. */
export interface RoutePlan {
  /** Done before any insert: a replacement may reuse the name of the route it replaces (GCE names routes by subnet). */
  readonly deletes: readonly CloudRoute[];
  readonly inserts: readonly WantedRoute[];
}

/**
 * The original route manager's rule, as a pure function: an owned route stays when it sends the
 * subnet its next hop's lease holds to that next hop; every other owned route is deleted, and every
 * wanted route left without an owned one is inserted. `wanted` maps a PublicIP to its subnet.
 */
export function planRoutes(wanted: ReadonlyMap<string, string>, owned: Iterable<CloudRoute>): RoutePlan {
  const deletes: CloudRoute[] = [];
  const kept = new Set<string>();
  for (const route of owned) {
    const ip = route.publicIp;
    if (ip !== undefined && !kept.has(ip) && wanted.get(ip) === route.subnet) kept.add(ip);
    else deletes.push(route);
  }
  const inserts: WantedRoute[] = [];
  for (const [publicIp, subnet] of wanted) if (!kept.has(publicIp)) inserts.push({ subnet, publicIp });
  return { deletes, inserts };
}

export function isEmptyPlan(plan: RoutePlan): boolean {
  return plan.deletes.length === 0 && plan.inserts.length === 0;
}
