/** `10.1.15.0/24` → `10-1-15-0-24`, the subnet as GCE route names carry it. */
const dashed = (subnet: string) => subnet.replaceAll('.', '-').replace('/', '-');

/** The gce backend's route for its own lease: `flannel-10-1-15-0-24` (no network name, as Go flanneld names it). */
export const ownRouteName = (subnet: string): string => `flannel-${dashed(subnet)}`;

/** flannel-route-manager's routes: `flannel-<network>-10-1-15-0-24`. */
export const managedRoutePrefix = (network: string): string => `flannel-${network}-`;
export const managedRouteName = (network: string, subnet: string): string => `${managedRoutePrefix(network)}${dashed(subnet)}`;

/** The last element of a metadata or self link path: `projects/1/zones/us-central1-a` → `us-central1-a`. */
export const lastPathElement = (path: string): string => path.replace(/\/+$/, '').split('/').at(-1) ?? '';
