import { describe, expect, it } from 'vitest';
import { Ec2RouteTable } from '../src/index.js';
import { parseIP4Net } from '@flannel-ts/ip';
import { routesOf, useFakeEc2 } from './fake-world.js';

const w = useFakeEc2();
const table = () => new Ec2RouteTable({ client: w.client, tableId: w.fake.ids.mainTableId, network: parseIP4Net('10.244.0.0/16') });
const node = (privateIp: string) => w.fake.world.addInstance({ subnetId: w.fake.ids.subnetId, privateIp });

describe('Ec2RouteTable (the route manager on EC2)', () => {
  it("lists only the network's routes to instances, with their private IPs, in one DescribeInstances", async () => {
    const { mainTableId } = w.fake.ids;
    const [a, b] = [node('172.31.16.21'), node('172.31.16.22')];
    w.fake.world.createRoute(mainTableId, '10.244.1.0/24', { instanceId: a.instanceId });
    w.fake.world.createRoute(mainTableId, '10.244.2.0/24', { instanceId: b.instanceId });
    w.fake.world.createRoute(mainTableId, '10.245.0.0/24', { instanceId: a.instanceId });
    w.fake.world.createRoute(mainTableId, '10.244.9.0/24', { gatewayId: 'igw-1' });
    w.fake.world.createRoute(mainTableId, '10.0.0.0/8', { instanceId: b.instanceId });
    const gone = node('172.31.16.23');
    w.fake.world.createRoute(mainTableId, '10.244.3.0/24', { instanceId: gone.instanceId });
    w.fake.world.instances.delete(gone.instanceId);
    expect(await table().list()).toEqual([
      { name: `${mainTableId}:10.244.1.0/24`, subnet: '10.244.1.0/24', publicIp: '172.31.16.21' },
      { name: `${mainTableId}:10.244.2.0/24`, subnet: '10.244.2.0/24', publicIp: '172.31.16.22' },
      { name: `${mainTableId}:10.244.3.0/24`, subnet: '10.244.3.0/24', publicIp: undefined },
    ]);
    expect(w.fake.calls('DescribeInstances')).toBe(1);
  });

  it('inserts a route to the instance owning the IP, looking the instance up once', async () => {
    const t = table();
    const a = node('172.31.16.21');
    expect(await t.insert('10.244.1.0/24', '172.31.16.21')).toEqual({ name: `${w.fake.ids.mainTableId}:10.244.1.0/24`, subnet: '10.244.1.0/24', publicIp: '172.31.16.21' });
    await t.insert('10.244.5.0/24', '172.31.16.21');
    expect(routesOf(w.fake, w.fake.ids.mainTableId)).toEqual(expect.arrayContaining([`10.244.1.0/24 → ${a.instanceId}`, `10.244.5.0/24 → ${a.instanceId}`]));
    expect(w.fake.calls('DescribeInstances')).toBe(1);
  });

  it('finds an instance by the address of a further network interface', async () => {
    const a = w.fake.world.addInstance({ subnetId: w.fake.ids.subnetId, privateIp: '172.31.16.30', secondaryIps: ['172.31.16.31'] });
    await table().insert('10.244.1.0/24', '172.31.16.31');
    expect(routesOf(w.fake, w.fake.ids.mainTableId)).toContain(`10.244.1.0/24 → ${a.instanceId}`);
  });

  it('replaces a route holding the destination by delete + create, never ReplaceRoute', async () => {
    const [a, b] = [node('172.31.16.21'), node('172.31.16.22')];
    w.fake.world.createRoute(w.fake.ids.mainTableId, '10.244.1.0/24', { instanceId: a.instanceId });
    await table().insert('10.244.1.0/24', '172.31.16.22');
    expect(routesOf(w.fake, w.fake.ids.mainTableId)).toContain(`10.244.1.0/24 → ${b.instanceId}`);
    expect(w.fake.calls('ReplaceRoute')).toBe(0);
  });

  it('says which IP has no instance', async () => {
    await expect(table().insert('10.244.1.0/24', '172.31.16.99')).rejects.toThrow(`routing to 172.31.16.99 in route table ${w.fake.ids.mainTableId}: no EC2 instance has the private IP 172.31.16.99`);
  });

  it('deletes a route; one already gone is fine', async () => {
    const a = node('172.31.16.21');
    w.fake.world.createRoute(w.fake.ids.mainTableId, '10.244.1.0/24', { instanceId: a.instanceId });
    const t = table();
    const [route] = await t.list();
    await t.delete(route!);
    await t.delete(route!);
    expect(routesOf(w.fake, w.fake.ids.mainTableId)).not.toContain(`10.244.1.0/24 → ${a.instanceId}`);
  });

  it('fails retryably with the table named when it is full', async () => {
    node('172.31.16.21');
    w.fake.world.routeLimit = 1;
    await expect(table().insert('10.244.1.0/24', '172.31.16.21')).rejects.toThrow(`route table ${w.fake.ids.mainTableId} is full (EC2 allows 50 routes per table`);
  });
});
