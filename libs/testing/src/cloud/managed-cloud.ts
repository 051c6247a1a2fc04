import { startFakeEc2, type FakeEc2 } from './fake-ec2/index.js';
import { startFakeGce, type FakeGce } from './fake-gce/index.js';

export type ManagedBackend = 'google' | 'aws';

/** A route the manager owns, as the fake's state holds it. */
export interface ManagedRoute {
  readonly subnet: string;
  /** The host it sends to: GCE's nextHopIp, or the private IP of the EC2 target instance. */
  readonly publicIp: string | undefined;
}

/** One API request the fake answered: its operation, the route it was about (when the request names one) and its status. */
export interface ManagedCall {
  /** `routes.insert`, `globalOperations.get`, `CreateRoute`, `DescribeInstances`, `metadata ...`, `IMDS ...`. */
  readonly op: string;
  /** GCE: the route name of a get or delete; EC2: the DestinationCidrBlock of a route change. */
  readonly subject?: string;
  readonly status: number;
}

/**
 * A fake cloud as flannel-route-manager sees it (the same questions for GCE and EC2), for its
 * end-to-end tests and benchmark: where the binary reaches it, which routes are the manager's, which
 * belong to others, and what the API was asked.
 */
export interface ManagedCloud {
  readonly backend: ManagedBackend;
  /** Loopback ports of the API and metadata servers, to forward into the manager's namespace. */
  readonly ports: readonly number[];
  /** Endpoint variables and dummy credentials for the binary. */
  readonly env: Record<string, string>;
  /** What `-delete-all-routes` and the reconciler may touch, read from the fake's state (not counted as calls). */
  ownedRoutes(): ManagedRoute[];
  /** A route the manager owns without a lease behind it (a manager that died left it). */
  putOwned(subnet: string, publicIp: string): void;
  /** Removes the manager's routes from the fake's state, between tests. */
  clearOwned(): void;
  /** Every route that is not the manager's, one line each, sorted: it must never change. */
  foreign(): string[];
  /** Every API request so far, in order. */
  calls(): ManagedCall[];
  /** API requests so far by operation. */
  requests(): Record<string, number>;
  /** The next `count` API calls are refused: throttled (429 / RequestLimitExceeded) or a server error (503). */
  failNext(count: number, kind: 'throttle' | 'server'): void;
  /** The fake itself, for what only one cloud has. */
  readonly gce?: FakeGce;
  readonly ec2?: FakeEc2;
  dispose(): Promise<void>;
}

export interface ManagedCloudOptions {
  /** Every address a lease will name (EC2: an instance with that private IP is registered for each). */
  readonly hostIps: readonly string[];
  /** The flannel network (EC2: its table's routes inside it are the manager's). Default 10.244.0.0/16. */
  readonly network?: string;
  /** Seeds routes of others that must survive: a route of flanneld's gce backend, of another network, a peering. */
  readonly foreignRoutes?: boolean;
}

/** Starts the fake cloud for `-backend=<backend>` on loopback. */
export async function startManagedCloud(backend: ManagedBackend, o: ManagedCloudOptions): Promise<ManagedCloud> {
  return backend === 'google' ? managedGce(await startFakeGce(), o) : managedEc2(await startFakeEc2(), o);
}

const tally = (calls: ManagedCall[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const c of calls) out[c.op] = (out[c.op] ?? 0) + 1;
  return out;
};

function managedGce(fake: FakeGce, o: ManagedCloudOptions): ManagedCloud {
  const prefix = `flannel-${fake.network}-`;
  const owned = (name: string) => name.startsWith(prefix);
  if (o.foreignRoutes) {
    fake.putRoute({ name: 'flannel-10-244-200-0-24', destRange: '10.244.200.0/24', nextHopInstance: fake.instanceLink });
    fake.putRoute({ name: 'flannel-other-10-244-3-0-24', destRange: '10.244.3.0/24', nextHopIp: '10.240.0.3', network: fake.networkLink.replace(/[^/]+$/, 'other') });
    fake.putRoute({ name: 'peering-10-9-0-0-16', destRange: '10.9.0.0/16', nextHopIp: '10.240.0.9' });
  }
  const calls = (): ManagedCall[] =>
    fake.requests().map((r) => {
      const named = /\/global\/routes\/([^/]+)$/.exec(r.path)?.[1];
      return { op: r.call, status: r.status, ...(named ? { subject: named } : {}) };
    });
  return {
    backend: 'google',
    gce: fake,
    ports: [fake.port],
    env: fake.env(),
    ownedRoutes: () =>
      fake
        .routes()
        .filter((r) => owned(r.name))
        .map((r) => ({ subnet: r.destRange, publicIp: r.nextHopIp })),
    putOwned: (subnet, publicIp) => fake.putRoute({ name: `${prefix}${subnet.replace(/[./]/g, '-')}`, destRange: subnet, nextHopIp: publicIp }),
    clearOwned: () => fake.routes().forEach((r) => owned(r.name) && fake.deleteRoute(r.name)),
    foreign: () =>
      fake
        .routes()
        .filter((r) => !owned(r.name))
        .map((r) => `${r.name} ${r.destRange} → ${r.nextHopIp ?? r.nextHopInstance} (${r.network})`)
        .sort(),
    calls,
    requests: () => tally(calls()),
    failNext: (count, kind) => fake.faults.failNext(count, { status: kind === 'throttle' ? 429 : 503 }),
    dispose: () => fake.close(),
  };
}

function managedEc2(fake: FakeEc2, o: ManagedCloudOptions): ManagedCloud {
  const { world, ids } = fake;
  // The default quota is 50 routes per table; the manager's tests and benchmark run 100 leases, as an account with a raised quota.
  world.routeLimit = 1_000;
  const instanceOf = new Map<string, string>([[ids.privateIp, ids.instanceId]]);
  for (const ip of o.hostIps) if (!instanceOf.has(ip)) instanceOf.set(ip, world.addInstance({ subnetId: ids.subnetId, privateIp: ip }).instanceId);
  const [netIp, netLen] = (o.network ?? '10.244.0.0/16').split('/') as [string, string];
  const inNetwork = (cidr: string) => {
    const [ip, len] = cidr.split('/') as [string, string];
    return Number(len) >= Number(netLen) && (toInt(ip) & mask(Number(netLen))) === (toInt(netIp) & mask(Number(netLen)));
  };
  const table = () => world.table(ids.mainTableId);
  const isOwned = (r: { destination: string; target: object }) => 'instanceId' in r.target && inNetwork(r.destination);
  if (o.foreignRoutes) {
    const gateway = world.addInstance({ subnetId: ids.subnetId, privateIp: '172.31.16.200' }).instanceId;
    world.createRoute(ids.mainTableId, '10.9.0.0/16', { instanceId: gateway });
    world.createRoute(ids.mainTableId, '0.0.0.0/0', { gatewayId: 'igw-00000001' });
    world.createRoute(ids.mainTableId, '10.244.250.0/24', { gatewayId: 'vgw-00000002' });
    // Another table of the VPC, with a route inside the network: not the table the manager drives.
    const other = world.addRouteTable({ vpcId: ids.vpcId });
    world.createRoute(other, '10.244.3.0/24', { instanceId: gateway });
  }
  const calls = (): ManagedCall[] =>
    fake.requests.map((r) => ({
      op: r.service === 'ec2' ? r.action : `IMDS ${r.action}`,
      status: r.status,
      ...(r.params['DestinationCidrBlock'] ? { subject: r.params['DestinationCidrBlock'] } : {}),
    }));
  return {
    backend: 'aws',
    ec2: fake,
    ports: [fake.ec2Port, fake.imdsPort],
    env: fake.env(),
    ownedRoutes: () =>
      [...table().routes.values()].filter(isOwned).map((r) => ({
        subnet: r.destination,
        publicIp: 'instanceId' in r.target ? world.instances.get(r.target.instanceId)?.privateIp : undefined,
      })),
    putOwned: (subnet, publicIp) => {
      const instanceId = instanceOf.get(publicIp);
      if (!instanceId) throw new Error(`fake EC2: no instance with private IP ${publicIp} (pass it in hostIps)`);
      world.createRoute(ids.mainTableId, subnet, { instanceId });
    },
    clearOwned: () => [...table().routes.values()].forEach((r) => isOwned(r) && table().routes.delete(r.destination)),
    foreign: () =>
      [...world.tables.values()]
        .flatMap((t) =>
          [...t.routes.values()]
            .filter((r) => t.routeTableId !== ids.mainTableId || !isOwned(r))
            .map((r) => `${t.routeTableId} ${r.destination} → ${'instanceId' in r.target ? r.target.instanceId : r.target.gatewayId}`),
        )
        .sort(),
    calls,
    requests: () => tally(calls()),
    failNext: (count, kind) => (kind === 'throttle' ? fake.faults.throttleNext(count) : fake.faults.serverErrorNext(count, { status: 503 })),
    dispose: () => fake.close(),
  };
}

const toInt = (ip: string) => ip.split('.').reduce((n, part) => ((n << 8) | Number(part)) >>> 0, 0);
const mask = (len: number) => (len === 0 ? 0 : (~0 << (32 - len)) >>> 0);
