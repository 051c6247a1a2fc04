import { containsIP4, type IP4 } from '@flannel-ts/ip';
import type { SnapshotRoute } from './snapshot.js';

/** The default route (dst 0.0.0.0/0) with the lowest metric; the first listed on a tie. */
export function findDefaultRoute(routes: readonly SnapshotRoute[]): SnapshotRoute | undefined {
  return pickBest(routes.filter((route) => route.dst.prefixLen === 0));
}

/**
 * The main-table route the kernel would use for `ip`: the longest matching prefix, then the
 * lowest metric, then the first listed.
 */
export function findRouteTo(routes: readonly SnapshotRoute[], ip: IP4): SnapshotRoute | undefined {
  return pickBest(routes.filter((route) => containsIP4(route.dst, ip)));
}

function pickBest(routes: readonly SnapshotRoute[]): SnapshotRoute | undefined {
  let best: SnapshotRoute | undefined;
  for (const route of routes) {
    if (!best || isBetter(route, best)) best = route;
  }
  return best;
}

function isBetter(route: SnapshotRoute, than: SnapshotRoute): boolean {
  if (route.dst.prefixLen !== than.dst.prefixLen) return route.dst.prefixLen > than.dst.prefixLen;
  return route.metric < than.metric;
}
