import type { EnsureOutcome } from '@flannel-ts/cloud-routes';
import type { GceApi } from './gce-api.js';
import { ownRouteName } from './route-names.js';

export interface OwnRouteTarget {
  readonly api: GceApi;
  readonly networkLink: string;
  readonly instanceLink: string;
  readonly log: { info(message: string): void };
}

/**
 * One check of a gce node's own route `flannel-a-b-c-d-len` (its lease → its instance), as Go
 * flanneld does it: present with our instance as next hop → nothing to do; present with another
 * next hop → deleted (operation awaited) and inserted again; absent → inserted.
 */
export async function ensureOwnRoute(t: OwnRouteTarget, subnet: string): Promise<EnsureOutcome> {
  const name = ownRouteName(subnet);
  const existing = await t.api.getRoute(name);
  if (existing && existing.nextHopInstance === t.instanceLink && existing.destRange === subnet) return 'present';
  if (existing) {
    const hop = existing.nextHopInstance ?? existing.nextHopIp ?? 'no next hop';
    t.log.info(`Deleting conflicting route ${name} (${existing.destRange} → ${hop})`);
    await t.api.deleteRoute(name);
  }
  await t.api.insertRoute({ name, destRange: subnet, network: t.networkLink, nextHopInstance: t.instanceLink, priority: 1000 });
  t.log.info(`${existing ? 'Replaced' : 'Inserted'} route ${name}: ${subnet} → ${t.instanceLink}`);
  return existing ? 'replaced' : 'created';
}
