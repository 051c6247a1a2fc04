import { describe, expect, it } from 'vitest';
import { isRetryable } from '@flannel-ts/retry';
import { createEc2Client, ensureOwnRoute } from '../src/index.js';
import { routesOf, useFakeEc2 } from './fake-world.js';

const CIDR = '10.244.3.0/24';
const w = useFakeEc2();
const spec = () => ({ tableId: w.fake.ids.mainTableId, cidr: CIDR, instanceId: w.fake.ids.instanceId });
const ensure = () => ensureOwnRoute(w.client, spec(), w.log);
const failure = async () => {
  const error = await ensure().then(() => undefined, (e: unknown) => e);
  expect(isRetryable(error)).toBe(true);
  return (error as Error).message;
};

describe('ensureOwnRoute against the fake EC2', () => {
  it('creates a missing route (delete, then create) and then finds it present with one DescribeRouteTables', async () => {
    expect(await ensure()).toBe('created');
    expect(routesOf(w.fake, spec().tableId)).toContain(`${CIDR} → ${spec().instanceId}`);
    expect(w.fake.calls('DeleteRoute')).toBe(1);
    const describeParams = w.fake.requests.find((r) => r.action === 'DescribeRouteTables')!.params;
    expect(describeParams).toMatchObject({
      'RouteTableId.1': spec().tableId,
      'Filter.1.Name': 'route.destination-cidr-block',
      'Filter.1.Value.1': CIDR,
      'Filter.2.Name': 'route.state',
      'Filter.2.Value.1': 'active',
    });
    const before = w.fake.requests.length;
    expect(await ensure()).toBe('present');
    expect(w.fake.requests.slice(before).map((r) => r.action)).toEqual(['DescribeRouteTables']);
  });

  it('replaces a route to another instance by delete + create, logging it as flannel does, never with ReplaceRoute', async () => {
    const other = w.fake.world.addInstance({ subnetId: w.fake.ids.subnetId, privateIp: '172.31.16.11' });
    w.fake.world.createRoute(spec().tableId, CIDR, { instanceId: other.instanceId });
    expect(await ensure()).toBe('replaced');
    expect(routesOf(w.fake, spec().tableId)).toContain(`${CIDR} → ${spec().instanceId}`);
    expect(w.lines).toContain(`error Deleting invalid *active* matching route: ${CIDR}, ${other.instanceId} (in ${spec().tableId})`);
    expect(w.fake.calls('ReplaceRoute')).toBe(0);
  });

  it('replaces a blackhole route left by a terminated instance', async () => {
    const gone = w.fake.world.addInstance({ subnetId: w.fake.ids.subnetId, privateIp: '172.31.16.12' });
    w.fake.world.createRoute(spec().tableId, CIDR, { instanceId: gone.instanceId });
    w.fake.world.instances.delete(gone.instanceId);
    expect(await ensure()).toBe('replaced');
    expect(routesOf(w.fake, spec().tableId)).toContain(`${CIDR} → ${spec().instanceId}`);
  });

  it('leaves every other route alone', async () => {
    const other = w.fake.world.addInstance({ subnetId: w.fake.ids.subnetId, privateIp: '172.31.16.13' });
    w.fake.world.createRoute(spec().tableId, '10.244.4.0/24', { instanceId: other.instanceId });
    w.fake.world.createRoute(spec().tableId, '0.0.0.0/0', { gatewayId: 'igw-1' });
    const before = routesOf(w.fake, spec().tableId);
    await ensure();
    expect(routesOf(w.fake, spec().tableId)).toEqual([...before, `${CIDR} → ${spec().instanceId}`]);
  });

  it('names the table and the limit when the table is full, and creates the route once the limit is raised', async () => {
    w.fake.world.routeLimit = 1;
    expect(await failure()).toBe(
      `EC2 CreateRoute on route ${CIDR} in route table ${spec().tableId}: RouteLimitExceeded: route table ${spec().tableId} is full (EC2 allows 50 routes per table unless its quota was raised)`,
    );
    w.fake.world.routeLimit = 50;
    expect(await ensure()).toBe('created');
  });

  it('names the missing IAM permission, with the hint for DescribeRouteTables', async () => {
    w.fake.faults.deny('CreateRoute');
    expect(await failure()).toBe(`EC2 CreateRoute on route ${CIDR} in route table ${spec().tableId}: UnauthorizedOperation: the credentials lack the IAM permission ec2:CreateRoute`);
    w.fake.faults.deny('DescribeRouteTables');
    expect(await failure()).toBe(
      `EC2 DescribeRouteTables on route table ${spec().tableId}: UnauthorizedOperation: the credentials lack the IAM permission ec2:DescribeRouteTables (note: the DescribeRouteTables permission cannot be bound to any resource; grant it on "*")`,
    );
  });

  it('deletes nothing while EC2 throttles or fails, and converges afterwards', async () => {
    expect(await ensure()).toBe('created');
    const deletes = w.fake.calls('DeleteRoute');
    // More refusals than the SDK's own attempts (3), so they reach us.
    w.fake.faults.throttleNext(3);
    expect(await failure()).toMatch(/^EC2 DescribeRouteTables on route table rtb-\w+: RequestLimitExceeded \(HTTP 503\): Request limit exceeded\.$/);
    w.fake.faults.serverErrorNext(3);
    expect(await failure()).toMatch(/: InternalError \(HTTP 500\): An internal error has occurred$/);
    expect(w.fake.calls('DeleteRoute')).toBe(deletes);
    expect(await ensure()).toBe('present');
  });

  it('reports a table that does not exist with EC2 code', async () => {
    const error = await ensureOwnRoute(w.client, { ...spec(), tableId: 'rtb-0missing' }, w.log).then(() => '', (e: Error) => e.message);
    expect(error).toBe("EC2 DescribeRouteTables on route table rtb-0missing: InvalidRouteTableID.NotFound (HTTP 400): The routeTable ID 'rtb-0missing' does not exist");
  });

  it('waits for a slow EC2, and gives up retryably at its timeout', async () => {
    w.fake.faults.slow(300);
    expect(await ensure()).toBe('created');
    const impatient = createEc2Client('eu-west-1', { timeoutMs: 100 });
    const error = await ensureOwnRoute(impatient, spec(), w.log).then(() => undefined, (e: unknown) => e);
    impatient.destroy();
    expect(isRetryable(error)).toBe(true);
    expect((error as Error).message).toMatch(/^EC2 DescribeRouteTables on route table rtb-\w+: .*(timeout|Timeout)/);
  });

  it('reports an unreachable endpoint as retryable', async () => {
    await w.fake.close();
    const message = await failure();
    expect(message).toMatch(/^EC2 DescribeRouteTables on route table rtb-\w+: .*ECONNREFUSED/);
  });
});
