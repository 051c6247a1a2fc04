import { CreateRouteCommand, DeleteRouteCommand, DescribeInstancesCommand, DescribeRouteTablesCommand, type EC2Client, type Filter } from '@aws-sdk/client-ec2';
import type { CloudRoute, CloudRouteTable } from '@flannel-ts/cloud-routes';
import { containsIP4, tryParseIP4Net, type IP4Net } from '@flannel-ts/ip';
import { RetryableError } from '@flannel-ts/retry';
import { ec2Call, ec2ErrorCode, ec2Failure } from './ec2-call.js';

export interface Ec2RouteTableOptions {
  readonly client: EC2Client;
  readonly tableId: string;
  /** The flannel network: only routes to destinations inside it are the manager's. */
  readonly network: IP4Net;
}

/**
 * One EC2 route table as flannel-route-manager drives it: it owns the routes whose destination lies
 * inside the flannel network and whose target is an instance, and names each route's host by the
 * instance's private IP (a lease's PublicIP on EC2).
 */
export class Ec2RouteTable implements CloudRouteTable {
  readonly description: string;
  /** Private IP → instance id, learnt from DescribeInstances; an instance keeps its primary IP for life. */
  private readonly instanceByIp = new Map<string, string>();

  constructor(private readonly o: Ec2RouteTableOptions) {
    this.description = `EC2 route table ${o.tableId}`;
  }

  async list(): Promise<CloudRoute[]> {
    const { client, tableId, network } = this.o;
    const out = await ec2Call({ action: 'DescribeRouteTables', subject: `route table ${tableId}`, table: tableId }, () =>
      client.send(new DescribeRouteTablesCommand({ RouteTableIds: [tableId] })),
    );
    const owned = (out?.RouteTables ?? []).flatMap((t) => t.Routes ?? []).filter((r) => {
      const dest = r.DestinationCidrBlock === undefined ? undefined : tryParseIP4Net(r.DestinationCidrBlock);
      return r.InstanceId !== undefined && dest !== undefined && dest.prefixLen >= network.prefixLen && containsIP4(network, dest.ip);
    });
    const ipOf = await this.privateIps([...new Set(owned.map((r) => r.InstanceId!))]);
    return owned.map((r) => this.route(r.DestinationCidrBlock!, ipOf.get(r.InstanceId!)));
  }

  async insert(subnet: string, publicIp: string): Promise<CloudRoute> {
    const { client, tableId } = this.o;
    const instanceId = await this.instanceWithIp(publicIp);
    const call = { subject: `route ${subnet} → ${instanceId} (${publicIp}) in route table ${tableId}`, table: tableId };
    const create = () => client.send(new CreateRouteCommand({ RouteTableId: tableId, DestinationCidrBlock: subnet, InstanceId: instanceId }));
    try {
      await create();
    } catch (error) {
      const code = ec2ErrorCode(error);
      // The cached instance is gone (its IP may come back with another one): look it up again next time.
      if (code === 'InvalidInstanceID.NotFound') this.instanceByIp.delete(publicIp);
      if (code !== 'RouteAlreadyExists') throw ec2Failure({ action: 'CreateRoute', ...call }, error);
      await ec2Call({ action: 'DeleteRoute', ...call }, () => client.send(new DeleteRouteCommand({ RouteTableId: tableId, DestinationCidrBlock: subnet })), [
        'InvalidRoute.NotFound',
      ]);
      await ec2Call({ action: 'CreateRoute', ...call }, create);
    }
    return this.route(subnet, publicIp);
  }

  async delete(route: CloudRoute): Promise<void> {
    const { client, tableId } = this.o;
    await ec2Call({ action: 'DeleteRoute', subject: `route ${route.subnet} in route table ${tableId}`, table: tableId }, () =>
      client.send(new DeleteRouteCommand({ RouteTableId: tableId, DestinationCidrBlock: route.subnet })),
      ['InvalidRoute.NotFound'],
    );
  }

  private route(subnet: string, publicIp: string | undefined): CloudRoute {
    return { name: `${this.o.tableId}:${subnet}`, subnet, publicIp };
  }

  /** The private IPs of these instances, in one DescribeInstances call (a filter, so a terminated one is simply absent). */
  private async privateIps(instanceIds: string[]): Promise<Map<string, string>> {
    const ipOf = new Map<string, string>();
    if (instanceIds.length === 0) return ipOf;
    for (const instance of await this.describe('instances of the routes', [{ Name: 'instance-id', Values: instanceIds }])) {
      if (instance.InstanceId && instance.PrivateIpAddress) {
        ipOf.set(instance.InstanceId, instance.PrivateIpAddress);
        this.instanceByIp.set(instance.PrivateIpAddress, instance.InstanceId);
      }
    }
    return ipOf;
  }

  private async instanceWithIp(ip: string): Promise<string> {
    const cached = this.instanceByIp.get(ip);
    if (cached) return cached;
    // The primary private IP first; an address of a further network interface is rarer.
    for (const name of ['private-ip-address', 'network-interface.addresses.private-ip-address']) {
      const instanceId = (await this.describe(`the instance with private IP ${ip}`, [{ Name: name, Values: [ip] }]))[0]?.InstanceId;
      if (instanceId) {
        this.instanceByIp.set(ip, instanceId);
        return instanceId;
      }
    }
    throw new RetryableError(`routing to ${ip} in route table ${this.o.tableId}: no EC2 instance has the private IP ${ip}`);
  }

  private async describe(subject: string, filters: Filter[]) {
    const instances = [];
    let token: string | undefined;
    do {
      const out = await ec2Call({ action: 'DescribeInstances', subject }, () =>
        this.o.client.send(new DescribeInstancesCommand({ Filters: filters, ...(token ? { NextToken: token } : {}) })),
      );
      instances.push(...(out?.Reservations ?? []).flatMap((r) => r.Instances ?? []));
      token = out?.NextToken;
    } while (token);
    return instances;
  }
}
