import type { CloudRouteTable } from '@flannel-ts/cloud-routes';
import type { IP4Net } from '@flannel-ts/ip';
import type { Logger } from '@flannel-ts/log';
import { ExitError } from '@flannel-ts/cli';
import type { CloudBackend } from './options.js';

export interface RouteTableOptions {
  readonly backend: CloudBackend;
  /**
   * The overlay network from etcd's config: an EC2 table's routes inside it are the manager's.
   * GCE routes are known by their names, so `google` needs none (-delete-all-routes skips etcd).
   */
  readonly network?: IP4Net;
  /** -backend=aws: the table to manage; undefined = the table of this instance's subnet. */
  readonly awsRouteTableId?: string;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** Builds the cloud route table the manager drives; tests and benchmarks pass their own. */
export type RouteTableFactory = (o: RouteTableOptions) => Promise<CloudRouteTable>;

/** Which backends need the network config to tell their routes from others'. */
export const needsNetwork = (backend: CloudBackend): boolean => backend === 'aws';

/**
 * The one place that constructs a cloud's route table: GCE routes of this instance's network
 * (project and network from the metadata server), or one EC2 route table (region and instance
 * from the instance metadata service). The cloud libraries are loaded here, when needed: each
 * weighs tens of MiB. A failure of the cloud or its metadata service is a RetryableError.
 */
export const createRouteTable: RouteTableFactory = async (o) => {
  switch (o.backend) {
    case 'google':
      return googleTable(o);
    case 'aws':
      return awsTable(o);
  }
};

async function googleTable(o: RouteTableOptions): Promise<CloudRouteTable> {
  const gce = await import('@flannel-ts/gce');
  const endpoint = process.env[gce.COMPUTE_ENDPOINT_VARIABLE];
  try {
    gce.computeEndpoint(endpoint);
  } catch (error) {
    // An operator's typo: say so once rather than retry it forever.
    throw new ExitError((error as Error).message, 1, { cause: error });
  }
  const facts = await gce.readInstanceFacts();
  o.log.info(`This is instance ${facts.instance} in ${facts.zone} of project ${facts.project}, network ${facts.network}`);
  const api = await gce.GceApi.open({ project: facts.project, endpoint, signal: o.signal });
  try {
    return new gce.GceRouteTable(api, facts.network, await api.networkLink(facts.network));
  } catch (error) {
    api.close();
    throw error;
  }
}

async function awsTable(o: RouteTableOptions): Promise<CloudRouteTable> {
  if (!o.network) throw new Error('-backend=aws: the route table needs the network config, and none was read');
  const ec2 = await import('@flannel-ts/ec2');
  const identity = await ec2.readInstanceIdentity();
  o.log.info(`This is instance ${identity.instanceId} in ${identity.availabilityZone} (region ${identity.region})`);
  const client = ec2.createEc2Client(identity.region);
  try {
    const [tableId] = o.awsRouteTableId ? [o.awsRouteTableId] : await ec2.resolveRouteTables(client, identity.instanceId, [], o.log);
    return new ec2.Ec2RouteTable({ client, tableId: tableId!, network: o.network });
  } catch (error) {
    client.destroy();
    throw error;
  }
}
