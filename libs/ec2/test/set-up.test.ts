import { describe, expect, it } from 'vitest';
import { disableSourceDestCheck, readInstanceIdentity, resolveRouteTables } from '../src/index.js';
import { useFakeEc2 } from './fake-world.js';

const w = useFakeEc2();
const imdsCalls = () => w.fake.requests.filter((r) => r.service === 'imds').map((r) => `${r.action} ${r.status}`);

describe('instance metadata', () => {
  it('reads instance id and region with an IMDSv2 token', async () => {
    w.fake.imds.requireToken = true;
    expect(await readInstanceIdentity()).toEqual({ instanceId: w.fake.ids.instanceId, availabilityZone: 'eu-west-1a', region: 'eu-west-1' });
    expect(imdsCalls()).toContain('GET /latest/meta-data/instance-id 200');
    expect(imdsCalls()[0]).toBe('PUT /latest/api/token 200');
  });

  it.each([403, 404, 405] as const)('falls back to IMDSv1 when the token request gets %i', async (status) => {
    w.fake.imds.refuseTokens = status;
    expect((await readInstanceIdentity()).instanceId).toBe(w.fake.ids.instanceId);
    expect(imdsCalls()).toEqual([`PUT /latest/api/token ${status}`, 'GET /latest/meta-data/instance-id 200', 'GET /latest/meta-data/placement/availability-zone 200']);
  });

  it('fails retryably, naming the endpoint, when the service cannot answer', async () => {
    w.fake.imds.refuseTokens = 403;
    w.fake.imds.requireToken = true;
    await expect(readInstanceIdentity()).rejects.toThrow(`reading instance-id from the instance metadata service at ${w.fake.imdsEndpoint}: `);
  });
});

describe('source/destination check', () => {
  it('turns it off', async () => {
    expect(await disableSourceDestCheck(w.client, w.fake.ids.instanceId, w.log)).toBe(true);
    expect(w.fake.world.instance(w.fake.ids.instanceId).sourceDestCheck).toBe(false);
  });

  it('only warns when refused, as flannel does', async () => {
    w.fake.faults.deny('ModifyInstanceAttribute');
    expect(await disableSourceDestCheck(w.client, w.fake.ids.instanceId, w.log)).toBe(false);
    expect(w.lines).toEqual([
      `warn Warning- disabling source destination check failed: EC2 ModifyInstanceAttribute on instance ${w.fake.ids.instanceId}: UnauthorizedOperation: the credentials lack the IAM permission ec2:ModifyInstanceAttribute`,
    ]);
  });
});

describe('route tables', () => {
  it('takes the configured tables as they are, asking EC2 nothing', async () => {
    expect(await resolveRouteTables(w.client, w.fake.ids.instanceId, ['rtb-1', 'rtb-2'], w.log)).toEqual(['rtb-1', 'rtb-2']);
    expect(w.fake.requests).toEqual([]);
  });

  it("detects the subnet's own table first, else the VPC's main table", async () => {
    const { instanceId, vpcId, subnetId, mainTableId } = w.fake.ids;
    expect(await resolveRouteTables(w.client, instanceId, [], w.log)).toEqual([mainTableId]);
    w.fake.world.addRouteTable({ vpcId, routeTableId: 'rtb-0other' });
    const own = w.fake.world.addRouteTable({ vpcId, subnetIds: [subnetId] });
    expect(await resolveRouteTables(w.client, instanceId, [], w.log)).toEqual([own]);
    expect(w.lines).toContain(`info Found route table ${own} (associated with subnet ${subnetId})`);
  });

  it("says so when the VPC has no main table", async () => {
    w.fake.world.tables.clear();
    await expect(resolveRouteTables(w.client, w.fake.ids.instanceId, [], w.log)).rejects.toThrow(`main route table not found (VPC ${w.fake.ids.vpcId} of instance ${w.fake.ids.instanceId})`);
  });

  it('names DescribeInstances when it is not granted', async () => {
    w.fake.faults.deny('DescribeInstances');
    await expect(resolveRouteTables(w.client, w.fake.ids.instanceId, [], w.log)).rejects.toThrow('UnauthorizedOperation: the credentials lack the IAM permission ec2:DescribeInstances');
  });
});
