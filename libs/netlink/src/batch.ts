import { inContext } from './errors.js';
import { netlinkNative } from './load-native.js';
import type { RawNeighSpec, RawRouteSpec } from './native.js';
import { describe as describeNeigh, toRaw as rawNeigh } from './neighs.js';
import { describe as describeRoute, toRaw as rawRoute } from './routes.js';
import type { NeighSpec, RouteSpec } from './types.js';

/** One replace of a batch: a route or a neighbour (ARP or fdb entry). */
export type KernelChange = { readonly route: RouteSpec } | { readonly neigh: NeighSpec };

/**
 * replaceRoute / replaceNeigh for each change in turn, on one thread off the main one: the kernel
 * takes them in this order, and no two of them contend for its locks. Resolves with an element per
 * change: its failure in context, or undefined. A malformed change throws at once, before any is sent.
 */
export async function replaceInOrder(changes: readonly KernelChange[]): Promise<(Error | undefined)[]> {
  const raw = changes.map((change): { route: RawRouteSpec } | { neigh: RawNeighSpec } =>
    'route' in change ? { route: rawRoute('replace', change.route) } : { neigh: rawNeigh(change.neigh, true) },
  );
  const failures = await netlinkNative().changeBatch(raw);
  return failures.map((failure, i) => {
    if (!failure) return undefined;
    const item = raw[i]!;
    const what = 'route' in item ? `route ${describeRoute((changes[i] as { route: RouteSpec }).route, item.route)}` : describeNeigh(item.neigh);
    return inContext(`replacing ${what}`, failure) as Error;
  });
}
