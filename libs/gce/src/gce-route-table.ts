import type { CloudRoute, CloudRouteTable } from '@flannel-ts/cloud-routes';
import type { GceApi, GceRoute } from './gce-api.js';
import { managedRouteName, managedRoutePrefix } from './route-names.js';

/**
 * The routes flannel-route-manager owns in one GCE network: those named `flannel-<network>-*`, each
 * sending a lease's subnet to the lease's PublicIP (`nextHopIp`). Changes wait for their operation.
 */
export class GceRouteTable implements CloudRouteTable {
  readonly description: string;

  constructor(
    private readonly api: GceApi,
    private readonly network: string,
    private readonly networkLink: string,
  ) {
    this.description = `GCE network ${network} of project ${api.project}`;
  }

  async list(): Promise<CloudRoute[]> {
    const prefix = managedRoutePrefix(this.network);
    const routes = await this.api.listRoutes(`name eq ${prefix}.*`);
    // The filter is the API's business; a route outside our names must never reach a deletion.
    return routes.filter((r) => r.name.startsWith(prefix)).map(cloudRoute);
  }

  async insert(subnet: string, publicIp: string): Promise<CloudRoute> {
    const route: GceRoute = { name: managedRouteName(this.network, subnet), destRange: subnet, network: this.networkLink, nextHopIp: publicIp, priority: 1000 };
    await this.api.insertRoute(route);
    return cloudRoute(route);
  }

  async delete(route: CloudRoute): Promise<void> {
    await this.api.deleteRoute(route.name);
  }
}

function cloudRoute(r: GceRoute): CloudRoute {
  return { name: r.name, subnet: r.destRange, publicIp: r.nextHopIp };
}
