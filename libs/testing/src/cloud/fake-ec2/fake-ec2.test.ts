import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeEc2, type FakeEc2 } from './fake-ec2.js';

let fake: FakeEc2;
beforeEach(async () => {
  fake = await startFakeEc2();
});
afterEach(() => fake.close());

const call = async (form: Record<string, string>) => {
  const res = await fetch(fake.ec2Endpoint, { method: 'POST', body: new URLSearchParams({ Version: '2016-11-15', ...form }) });
  return { status: res.status, body: await res.text() };
};

describe('fake EC2 (wire level)', () => {
  it("answers an unknown action with EC2's error envelope", async () => {
    const { status, body } = await call({ Action: 'RunInstances' });
    expect(status).toBe(400);
    expect(body).toMatch(/<Response><Errors><Error><Code>InvalidAction<\/Code><Message>The action RunInstances is not valid for this web service\.<\/Message><\/Error><\/Errors><RequestID>[-0-9a-f]+<\/RequestID><\/Response>$/);
  });

  it('gives faults their statuses: throttling 503, server error 500, a denied action 403', async () => {
    fake.faults.throttleNext(1);
    fake.faults.serverErrorNext(1);
    fake.faults.deny('DescribeRouteTables');
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const { status, body } = await call({ Action: 'DescribeRouteTables' });
      codes.push(`${status} ${/<Code>(.*)<\/Code>/.exec(body)?.[1]}`);
    }
    expect(codes).toEqual(['503 RequestLimitExceeded', '500 InternalError', '403 UnauthorizedOperation']);
    expect(fake.requests.map((r) => r.code)).toEqual(['RequestLimitExceeded', 'InternalError', 'UnauthorizedOperation']);
  });

  it('filters route tables by route destination and association, and records ReplaceRoute', async () => {
    const { mainTableId, instanceId, vpcId, subnetId } = fake.ids;
    const own = fake.world.addRouteTable({ vpcId, subnetIds: [subnetId] });
    fake.world.createRoute(own, '10.244.1.0/24', { instanceId });
    const found = async (filters: Record<string, string>) => [...(await call({ Action: 'DescribeRouteTables', ...filters })).body.matchAll(/<item><routeTableId>(rtb-\w+)/g)].map((m) => m[1]);
    expect(await found({ 'Filter.1.Name': 'route.destination-cidr-block', 'Filter.1.Value.1': '10.244.1.0/24' })).toEqual([own]);
    expect(await found({ 'Filter.1.Name': 'association.subnet-id', 'Filter.1.Value.1': subnetId })).toEqual([own]);
    expect(await found({ 'Filter.1.Name': 'association.main', 'Filter.1.Value.1': 'true', 'Filter.2.Name': 'vpc-id', 'Filter.2.Value.1': vpcId })).toEqual([mainTableId]);
    expect((await call({ Action: 'ReplaceRoute', RouteTableId: own, DestinationCidrBlock: '10.244.1.0/24', InstanceId: instanceId })).status).toBe(200);
    expect(fake.calls('ReplaceRoute')).toBe(1);
  });

  it('serves IMDSv2 tokens, IMDSv1, and refuses tokens when told to', async () => {
    const token = await (await fetch(`${fake.imdsEndpoint}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } })).text();
    const get = (headers: Record<string, string> = {}) => fetch(`${fake.imdsEndpoint}/latest/meta-data/instance-id`, { headers });
    expect(await (await get({ 'x-aws-ec2-metadata-token': token })).text()).toBe(fake.ids.instanceId);
    expect((await get({ 'x-aws-ec2-metadata-token': 'forged' })).status).toBe(401);
    expect((await get()).status).toBe(200);
    fake.imds.refuseTokens = 403;
    expect((await fetch(`${fake.imdsEndpoint}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } })).status).toBe(403);
  });
});
