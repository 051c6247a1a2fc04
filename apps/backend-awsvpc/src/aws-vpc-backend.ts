import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Backend, CreateBackend, Lease } from '@flannel-ts/backend-protocol';
import { OwnRouteKeeper } from '@flannel-ts/cloud-routes';
import { formatIP4Net, sameNet } from '@flannel-ts/ip';
import { awsVpcOptions } from './aws-vpc-options.js';

/** What the set-up found: it does not change while the process runs. */
interface Ec2Setup {
  readonly lib: Ec2Lib;
  readonly client: EC2Client;
  readonly instanceId: string;
  readonly tables: readonly string[];
}

// The AWS SDK takes ~0.5 s and ~50 MiB to load: loaded when a lease needs it, so `--help` and a
// usage error stay quick.
type Ec2Lib = typeof import('@flannel-ts/ec2');

interface TableKeeper {
  readonly tableId: string;
  readonly keeper: OwnRouteKeeper;
}

/**
 * aws-vpc: the node's own route `<lease> → <this instance>` in the VPC's route table(s), checked
 * every RouteCheckInterval and restored when someone deleted or changed it. Peers need nothing: the
 * VPC routes to them through their own routes. Nothing is removed on exit or on a changed lease.
 */
export const createAwsVpcBackend: CreateBackend = async (init, context) => {
  const { log } = context;
  const options = awsVpcOptions(init.config.backend);
  const periodMs = options.routeCheckIntervalSeconds * 1000;
  const retry = { periodMs, firstRetryMs: Math.min(1_000, periodMs), maxRetryMs: periodMs, log, context };
  let lease: Lease | undefined;
  let ec2: Ec2Setup | undefined;
  let keepers: TableKeeper[] = [];

  const keepRoutes = async (own: Lease, setup: Ec2Setup): Promise<void> => {
    const cidr = formatIP4Net(own.subnet);
    keepers = setup.tables.map((tableId) => ({
      tableId,
      keeper: new OwnRouteKeeper({
        ...retry,
        what: `route ${cidr} → ${setup.instanceId} in route table ${tableId}`,
        ensure: () => setup.lib.ensureOwnRoute(setup.client, { tableId, cidr, instanceId: setup.instanceId }, log),
      }),
    }));
    // Each first check is awaited, so `ready` follows a route in place whenever EC2 allows it;
    // a refused one is retried by its keeper and never delays the answer further.
    for (const { keeper } of keepers) await keeper.start();
  };

  // Instance metadata, client, source/destination check and tables, retried like a route check
  // until it works once: a restart could not fix what the cloud refuses, it would only hammer it.
  const setupKeeper: OwnRouteKeeper = new OwnRouteKeeper({
    ...retry,
    maxRetryMs: Math.max(periodMs, 60_000),
    what: 'the aws-vpc set-up (instance metadata, source/destination check, route tables)',
    ensure: async () => {
      const lib = await import('@flannel-ts/ec2');
      const identity = await lib.readInstanceIdentity();
      log.info(`This is instance ${identity.instanceId} in ${identity.availabilityZone} (region ${identity.region})`);
      const client = lib.createEc2Client(identity.region);
      await lib.disableSourceDestCheck(client, identity.instanceId, log);
      const tables = await lib.resolveRouteTables(client, identity.instanceId, options.routeTableIds, log);
      ec2 = { lib, client, instanceId: identity.instanceId, tables };
      // Done once: no periodic re-run (the route keepers take over).
      setupKeeper.stop();
      if (lease) await keepRoutes(lease, ec2);
      return 'created';
    },
  });
  let setupStarted = false;

  const stopKeepers = () => {
    keepers.forEach(({ keeper }) => keeper.stop());
    keepers = [];
  };

  const backend: Backend = {
    // No BackendType: aws-vpc leases carry the PublicIP only, as flannel's do.
    propose: async () => ({ mtu: init.iface.mtu }),
    leaseGranted: async (granted) => {
      if (lease && sameNet(lease.subnet, granted.subnet)) {
        lease = granted;
        return;
      }
      if (lease) log.info(`Lease changed from ${formatIP4Net(lease.subnet)} to ${formatIP4Net(granted.subnet)}; the route of the old one is left in place`);
      else log.info(`Lease ${formatIP4Net(granted.subnet)}`);
      stopKeepers();
      lease = granted;
      if (ec2) await keepRoutes(lease, ec2);
      else if (!setupStarted) {
        setupStarted = true;
        await setupKeeper.start();
      }
      // Otherwise the set-up is still being retried and will keep the route of the lease it finds.
    },
    peersSnapshot: async () => {},
    peersChanged: async () => {},
    close: async () => {
      setupKeeper.stop();
      stopKeepers();
    },
    status: () => {
      if (!ec2) {
        const error = setupKeeper.state.lastError;
        return { counters: { tables: 0, routesInPlace: 0 }, detail: error ? `set-up failing: ${error}` : 'setting up' };
      }
      const inPlace = keepers.filter(({ keeper }) => keeper.state.inPlace);
      const failing = keepers.filter(({ keeper }) => !keeper.state.inPlace && keeper.state.lastError);
      const counters = {
        tables: keepers.length,
        routesInPlace: inPlace.length,
        repairs: keepers.reduce((n, { keeper }) => n + keeper.state.repairs, 0),
        failedChecks: keepers.reduce((n, { keeper }) => n + keeper.state.failures, 0),
      };
      const route = lease ? `route ${formatIP4Net(lease.subnet)} → ${ec2.instanceId}` : 'no lease yet';
      const parts = [inPlace.length > 0 ? `${route} in place in ${inPlace.map((k) => k.tableId).join(', ')}` : `${route} not in place`];
      for (const { tableId, keeper } of failing) parts.push(`not in ${tableId}: ${keeper.state.lastError}`);
      return { counters, detail: parts.join('; ') };
    },
  };
  return backend;
};
