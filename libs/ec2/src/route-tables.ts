import { DescribeInstancesCommand, DescribeRouteTablesCommand, type EC2Client, type Filter } from '@aws-sdk/client-ec2';
import { RetryableError } from '@flannel-ts/retry';
import { ec2Call } from './ec2-call.js';

/**
 * The route tables the own route goes into: those configured (`RouteTableID`), else the table
 * associated with the instance's subnet, else its VPC's main table.
 */
export async function resolveRouteTables(
  client: EC2Client,
  instanceId: string,
  configured: readonly string[],
  log: { info(message: string): void },
): Promise<string[]> {
  if (configured.length > 0) return [...configured];
  log.info('RouteTableID not passed as config parameter, detecting ...');
  const { subnetId, vpcId } = await instancePlacement(client, instanceId);
  const bySubnet = await firstTable(client, `the route table of subnet ${subnetId}`, [{ Name: 'association.subnet-id', Values: [subnetId] }]);
  if (bySubnet) {
    log.info(`Found route table ${bySubnet} (associated with subnet ${subnetId})`);
    return [bySubnet];
  }
  const main = await firstTable(client, `the main route table of VPC ${vpcId}`, [
    { Name: 'association.main', Values: ['true'] },
    { Name: 'vpc-id', Values: [vpcId] },
  ]);
  if (!main) throw new RetryableError(`main route table not found (VPC ${vpcId} of instance ${instanceId})`);
  log.info(`Found route table ${main} (the main table of VPC ${vpcId}; subnet ${subnetId} has none of its own)`);
  return [main];
}

async function instancePlacement(client: EC2Client, instanceId: string): Promise<{ subnetId: string; vpcId: string }> {
  const out = await ec2Call({ action: 'DescribeInstances', subject: `instance ${instanceId}` }, () =>
    client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })),
  );
  const reservation = out?.Reservations?.[0];
  if (!reservation) throw new RetryableError(`detecting the route table: no reservations found (DescribeInstances of ${instanceId})`);
  const instance = reservation.Instances?.find((i) => i.InstanceId === instanceId);
  if (!instance?.SubnetId || !instance.VpcId) throw new RetryableError(`detecting the route table: no matching instance found with id: ${instanceId}`);
  return { subnetId: instance.SubnetId, vpcId: instance.VpcId };
}

async function firstTable(client: EC2Client, subject: string, filters: Filter[]): Promise<string | undefined> {
  const out = await ec2Call({ action: 'DescribeRouteTables', subject }, () => client.send(new DescribeRouteTablesCommand({ Filters: filters })));
  return out?.RouteTables?.find((t) => t.RouteTableId)?.RouteTableId;
}
