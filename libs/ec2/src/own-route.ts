import { CreateRouteCommand, DeleteRouteCommand, DescribeRouteTablesCommand, type EC2Client, type Route } from '@aws-sdk/client-ec2';
import type { EnsureOutcome } from '@flannel-ts/cloud-routes';
import { ec2Call } from './ec2-call.js';

export interface OwnRouteSpec {
  readonly tableId: string;
  /** The lease, `10.244.3.0/24`. */
  readonly cidr: string;
  readonly instanceId: string;
}

type RouteLog = { info(message: string): void; error(message: string): void };

/**
 * One check of a node's own route `<lease> → <own instance>` in one table, fixing it as flannel does:
 * an active route to this instance is left alone; anything else at that destination is deleted (a
 * route already gone is fine) and the route created. Never ReplaceRoute: flannel never used it, and
 * an operator's IAM policy may not grant it.
 */
export async function ensureOwnRoute(client: EC2Client, spec: OwnRouteSpec, log: RouteLog): Promise<EnsureOutcome> {
  const { tableId, cidr, instanceId } = spec;
  const table = { subject: `route table ${tableId}`, table: tableId };
  const out = await ec2Call({ action: 'DescribeRouteTables', ...table }, () =>
    client.send(
      new DescribeRouteTablesCommand({
        RouteTableIds: [tableId],
        Filters: [
          { Name: 'route.destination-cidr-block', Values: [cidr] },
          { Name: 'route.state', Values: ['active'] },
        ],
      }),
    ),
  );
  const existing = out?.RouteTables?.flatMap((t) => t.Routes ?? []).find((r) => r.DestinationCidrBlock === cidr);
  if (existing?.State === 'active' && existing.InstanceId === instanceId) return 'present';
  if (existing?.State === 'active') log.error(`Deleting invalid *active* matching route: ${cidr}, ${routeTarget(existing)} (in ${tableId})`);

  const route = { ...table, subject: `route ${cidr} in route table ${tableId}` };
  await ec2Call({ action: 'DeleteRoute', ...route }, () => client.send(new DeleteRouteCommand({ RouteTableId: tableId, DestinationCidrBlock: cidr })), [
    'InvalidRoute.NotFound',
  ]);
  await ec2Call({ action: 'CreateRoute', ...route }, () =>
    client.send(new CreateRouteCommand({ RouteTableId: tableId, DestinationCidrBlock: cidr, InstanceId: instanceId })),
  );
  log.info(`${existing ? 'Replaced' : 'Created'} route ${cidr} → ${instanceId} in route table ${tableId}`);
  return existing ? 'replaced' : 'created';
}

/** What a route points at, for log lines. */
export function routeTarget(route: Route): string {
  return (
    route.InstanceId ??
    route.NetworkInterfaceId ??
    route.GatewayId ??
    route.NatGatewayId ??
    route.TransitGatewayId ??
    route.VpcPeeringConnectionId ??
    'an unknown target'
  );
}
