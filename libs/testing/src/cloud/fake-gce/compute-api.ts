import { ComputeState, SELF_LINK_BASE, type FakeRoute } from './compute-state.js';
import type { Faults } from './faults.js';
import { badRequest, GoogleApiError, notFound } from './google-error.js';
import { listFilter } from './list-filter.js';

export interface ComputeIdentity {
  readonly project: string;
  readonly network: string;
  /** Instances by name, each with its zone. */
  readonly instances: Map<string, string>;
}

export interface ComputeAnswer {
  readonly call: string;
  readonly status: number;
  readonly body: unknown;
}

interface Route {
  readonly call: string;
  readonly permission: string;
  readonly handle: (m: RegExpExecArray, url: URL, body: unknown) => unknown;
}

/** The part of the Compute REST API v1 that flannel uses, on the fake's state. */
export class ComputeApi {
  private readonly table: Array<[string, RegExp, Route]>;

  constructor(
    private readonly state: ComputeState,
    private readonly identity: ComputeIdentity,
    private readonly faults: Faults,
  ) {
    const p = '^/compute/v1/projects/([^/]+)';
    this.table = [
      ['GET', new RegExp(`${p}/global/routes$`), { call: 'routes.list', permission: 'compute.routes.list', handle: (_m, url) => this.list(url) }],
      ['GET', new RegExp(`${p}/global/routes/([^/]+)$`), { call: 'routes.get', permission: 'compute.routes.get', handle: (m) => state.routeJson(state.getRoute(m[2]!)) }],
      ['POST', new RegExp(`${p}/global/routes$`), { call: 'routes.insert', permission: 'compute.routes.create', handle: (_m, _u, body) => this.insert(body) }],
      ['DELETE', new RegExp(`${p}/global/routes/([^/]+)$`), { call: 'routes.delete', permission: 'compute.routes.delete', handle: (m) => state.operationJson(state.deleteRoute(m[2]!, faults.operationPolls)) }],
      ['GET', new RegExp(`${p}/global/networks/([^/]+)$`), { call: 'networks.get', permission: 'compute.networks.get', handle: (m) => this.network(m[2]!) }],
      ['GET', new RegExp(`${p}/zones/([^/]+)/instances/([^/]+)$`), { call: 'instances.get', permission: 'compute.instances.get', handle: (m) => this.instance(m[2]!, m[3]!) }],
      ['GET', new RegExp(`${p}/global/operations/([^/]+)$`), { call: 'globalOperations.get', permission: 'compute.globalOperations.get', handle: (m) => state.operationJson(state.poll(m[2]!)) }],
    ];
  }

  /** Answers one request; `authorized` says whether it carried a bearer token. */
  answer(method: string, url: URL, body: unknown, authorized: boolean): ComputeAnswer {
    for (const [verb, re, route] of this.table) {
      const m = re.exec(url.pathname);
      if (!m || verb !== method) continue;
      try {
        if (!authorized) throw new GoogleApiError(401, 'Request is missing required authentication credential. Expected OAuth 2 access token.', 'required');
        if (m[1] !== this.identity.project) throw notFound(`projects/${m[1]}`);
        const refusal = this.faults.refusal(route.call, route.permission, url.pathname.replace(/^\/compute\/v1\//, ''));
        if (refusal) throw refusal;
        if (route.call !== 'globalOperations.get') this.state.settle();
        return { call: route.call, status: 200, body: route.handle(m, url, body) };
      } catch (error) {
        if (error instanceof GoogleApiError) return { call: route.call, status: error.status, body: JSON.parse(error.body()) };
        throw error;
      }
    }
    const unknown = notFound(`${method} ${url.pathname}`);
    return { call: `unknown ${method} ${url.pathname}`, status: 404, body: JSON.parse(unknown.body()) };
  }

  private list(url: URL): unknown {
    const matches = listFilter(url.searchParams.get('filter'));
    const all = [...this.state.routes.values()].map((r) => this.state.routeJson(r)).filter(matches);
    const start = Number(url.searchParams.get('pageToken') ?? '0');
    const size = Math.min(this.faults.pageSize, Number(url.searchParams.get('maxResults') ?? '500'));
    if (!Number.isInteger(start) || start < 0 || !(size > 0)) throw badRequest('Invalid pageToken or maxResults.');
    const items = all.slice(start, start + size);
    const next = start + size < all.length ? { nextPageToken: String(start + size) } : {};
    return { kind: 'compute#routeList', id: `projects/${this.identity.project}/global/routes`, items, ...next, selfLink: `${SELF_LINK_BASE}projects/${this.identity.project}/global/routes` };
  }

  private insert(body: unknown): unknown {
    const b = (body ?? {}) as Partial<FakeRoute>;
    const quota = this.faults.quotaRefusal(this.state.routes.size);
    if (quota) throw quota;
    const route: FakeRoute = {
      name: String(b.name ?? ''),
      destRange: String(b.destRange ?? ''),
      network: String(b.network ?? ''),
      priority: Number(b.priority ?? 1000),
      ...(b.nextHopInstance ? { nextHopInstance: b.nextHopInstance.startsWith('https://') ? b.nextHopInstance : `${SELF_LINK_BASE}${b.nextHopInstance}` } : {}),
      ...(b.nextHopIp ? { nextHopIp: b.nextHopIp } : {}),
      ...(b.tags?.length ? { tags: b.tags } : {}),
    };
    if (!route.nextHopInstance && !route.nextHopIp) throw badRequest("Invalid value for field 'resource': the route needs a next hop.");
    return this.state.operationJson(this.state.insertRoute(route, this.faults.operationPolls, this.faults.quotaForm === 'operation' ? this.faults.routeQuota : undefined));
  }

  private network(name: string): unknown {
    if (name !== this.identity.network) throw notFound(`projects/${this.identity.project}/global/networks/${name}`);
    return { kind: 'compute#network', id: '4000', name, selfLink: networkLink(this.identity.project, name), autoCreateSubnetworks: true };
  }

  private instance(zone: string, name: string): unknown {
    if (this.identity.instances.get(name) !== zone) throw notFound(`projects/${this.identity.project}/zones/${zone}/instances/${name}`);
    return { kind: 'compute#instance', id: '5000', name, zone: `${SELF_LINK_BASE}projects/${this.identity.project}/zones/${zone}`, canIpForward: true, selfLink: instanceLink(this.identity.project, zone, name) };
  }
}

export const networkLink = (project: string, network: string) => `${SELF_LINK_BASE}projects/${project}/global/networks/${network}`;
export const instanceLink = (project: string, zone: string, name: string) => `${SELF_LINK_BASE}projects/${project}/zones/${zone}/instances/${name}`;
