import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  CONFIG_KEY,
  createLab,
  envValue,
  forwardIntoNamespace,
  startFakeEc2,
  startFlanneld,
  startLabEtcd,
  tempDir,
  waitFor,
  type Daemon,
  type EtcdServer,
  type FakeEc2,
  type Lab,
  type TempDir,
} from '@flannel-ts/testing';

// flanneld with the aws-vpc backend on one lab host; EC2 and its metadata service are the fake of
// this test process, reached from the host namespace through forwarders (the namespace has no
// other way out, so nothing can reach a real cloud).
let lab: Lab;
let etcd: EtcdServer;
let tmp: TempDir;
let sockets: TempDir;
let fake: FakeEc2;
let daemon: Daemon;
let tables: [string, string];
let other: string;

const routes = (tableId: string) =>
  [...fake.world.table(tableId).routes.values()].map((r) => `${r.destination} → ${'instanceId' in r.target ? r.target.instanceId : r.target.gatewayId}`);
const own = () => envValue(daemon.env(), 'FLANNEL_SUBNET')!.replace(/\.1\//, '.0/');
const ownRoute = () => `${own()} → ${fake.ids.instanceId}`;
const backendStarts = (d: Daemon) => d.messages().filter((m) => m.startsWith('Started backend')).length;

beforeAll(async () => {
  assertBuilt();
  tmp = tempDir('awsvpc-test');
  sockets = tempDir('c');
  lab = await createLab({ hosts: 1 });
  etcd = await startLabEtcd(lab);
  fake = await startFakeEc2({ privateIp: lab.hosts[0]!.ip });
  for (const port of [fake.ec2Port, fake.imdsPort]) await forwardIntoNamespace(lab, lab.hosts[0]!.ns, { port }, sockets.path);
  tables = [fake.ids.mainTableId, fake.world.addRouteTable({ vpcId: fake.ids.vpcId })];
  other = fake.world.addInstance({ subnetId: fake.ids.subnetId, privateIp: '172.31.16.99' }).instanceId;
  // Routes that are not flannel's: they must stay as they are whatever happens.
  fake.world.createRoute(tables[0], '0.0.0.0/0', { gatewayId: 'igw-0aa' });
  fake.world.createRoute(tables[1], '10.244.200.0/24', { instanceId: other });
  const config = { Network: '10.244.0.0/16', Backend: { Type: 'aws-vpc', RouteCheckInterval: 1, RouteTableID: tables } };
  await etcd.etcdctl(['put', CONFIG_KEY, JSON.stringify(config)]);
  daemon = await startFlanneld(lab, lab.hosts[0]!, path.join(tmp.path, 'h1'), { env: fake.env() });
  await waitFor(() => daemon.env(), { what: 'the subnet file' });
});

afterAll(async () => {
  await lab?.destroy();
  await fake?.close();
  await tmp?.remove();
  await sockets?.remove();
});

describe('flanneld with aws-vpc against the fake EC2', () => {
  it("puts the node's own route into every configured table and turns the source/destination check off", async () => {
    await waitFor(() => tables.every((t) => routes(t).includes(ownRoute())), { what: 'the own route in both tables' });
    expect(fake.world.instance(fake.ids.instanceId).sourceDestCheck).toBe(false);
    expect(envValue(daemon.env(), 'FLANNEL_MTU')).toBe('1500');
    const key = `/coreos.com/network/subnets/${own().replace('/', '-')}`;
    expect(JSON.parse((await etcd.etcdctl(['get', key, '--print-value-only'])).trim())).toEqual({ PublicIP: lab.hosts[0]!.ip, PublicIPv6: null });
    // The instance metadata was read with an IMDSv2 token.
    expect(fake.requests.find((r) => r.service === 'imds')?.action).toBe('PUT /latest/api/token');
  });

  it('restores the route when someone deletes it', async () => {
    fake.world.deleteRoute(tables[0], own());
    await waitFor(() => routes(tables[0]).includes(ownRoute()), { what: 'the route to come back' });
  });

  it('replaces a route to another instance by delete + create, never ReplaceRoute', async () => {
    fake.world.replaceRoute(tables[1], own(), { instanceId: other });
    await waitFor(() => routes(tables[1]).includes(ownRoute()), { what: 'the route to point at this instance again' });
    expect(daemon.messages()).toContain(`Deleting invalid *active* matching route: ${own()}, ${other} (in ${tables[1]})`);
    expect(fake.calls('ReplaceRoute')).toBe(0);
  });

  it('backs off while EC2 throttles and fails, deletes nothing wrongly, and converges afterwards', async () => {
    fake.world.deleteRoute(tables[0], own());
    const from = fake.requests.length;
    fake.faults.throttleNext(8);
    fake.faults.serverErrorNext(6);
    await waitFor(() => routes(tables[0]).includes(ownRoute()), { what: 'the route after the faults' });
    const calls = fake.requests.slice(from).filter((r) => r.service === 'ec2');
    expect(calls.filter((r) => r.code === 'RequestLimitExceeded')).toHaveLength(8);
    expect(calls.filter((r) => r.code === 'InternalError')).toHaveLength(6);
    expect(calls.filter((r) => r.action === 'DeleteRoute' && r.params['DestinationCidrBlock'] !== own())).toEqual([]);
    expect(daemon.messages().some((m) => m.includes('RequestLimitExceeded (HTTP 503)') || m.includes('InternalError (HTTP 500)'))).toBe(true);
  });

  it('says once per attempt that a full table blocks the route, keeps running, and creates it once the limit is raised', async () => {
    const starts = backendStarts(daemon);
    fake.world.deleteRoute(tables[1], own());
    fake.world.routeLimit = fake.world.table(tables[1]).routes.size;
    const full = `RouteLimitExceeded: route table ${tables[1]} is full (EC2 allows 50 routes per table unless its quota was raised)`;
    await waitFor(() => daemon.messages().filter((m) => m.includes(full)).length >= 3, { what: 'the route limit error, three times' });
    const line = daemon.messages().find((m) => m.includes(full))!;
    expect(line).toBe(`Keeping route ${own()} → ${fake.ids.instanceId} in route table ${tables[1]} failed (trying again in 1 s): EC2 CreateRoute on route ${own()} in route table ${tables[1]}: ${full}`);
    fake.world.routeLimit = 50;
    await waitFor(() => routes(tables[1]).includes(ownRoute()), { what: 'the route once the limit is raised' });
    expect(backendStarts(daemon)).toBe(starts);
    expect(daemon.messages().filter((m) => m.includes('backend exited unexpectedly'))).toEqual([]);
  });

  it('names the missing IAM permission', async () => {
    fake.faults.deny('CreateRoute');
    fake.world.deleteRoute(tables[0], own());
    await waitFor(() => daemon.messages().some((m) => m.includes('UnauthorizedOperation: the credentials lack the IAM permission ec2:CreateRoute')), {
      what: 'the permission error',
    });
    fake.faults.allow('CreateRoute');
    await waitFor(() => routes(tables[0]).includes(ownRoute()), { what: 'the route once the permission is granted' });
  });

  it("never touched routes that are not the node's own", () => {
    expect(routes(tables[0])).toEqual(expect.arrayContaining(['0.0.0.0/0 → igw-0aa']));
    expect(routes(tables[1])).toEqual(expect.arrayContaining([`10.244.200.0/24 → ${other}`]));
    const touched = fake.requests.filter((r) => ['DeleteRoute', 'CreateRoute', 'ReplaceRoute'].includes(r.action) && r.params['DestinationCidrBlock'] !== own());
    expect(touched).toEqual([]);
  });

  it("detects the subnet's table, else the main table, reading the metadata with IMDSv1 when tokens are refused", async () => {
    fake.imds.refuseTokens = 405;
    const prefix = '/detect/network';
    await etcd.etcdctl(['put', `${prefix}/config`, JSON.stringify({ Network: '10.245.0.0/16', Backend: { Type: 'aws-vpc', RouteCheckInterval: 1 } })]);
    const subnetTable = fake.world.addRouteTable({ vpcId: fake.ids.vpcId, subnetIds: [fake.ids.subnetId] });
    const from = fake.requests.length;
    const detect = await startFlanneld(lab, lab.hosts[0]!, path.join(tmp.path, 'detect'), { env: fake.env(), args: [`--etcd-prefix=${prefix}`] });
    await waitFor(() => detect.env(), { what: 'the subnet file' });
    const lease = envValue(detect.env(), 'FLANNEL_SUBNET')!.replace(/\.1\//, '.0/');
    await waitFor(() => routes(subnetTable).includes(`${lease} → ${fake.ids.instanceId}`), { what: "the route in the subnet's table" });
    const imds = fake.requests.slice(from).filter((r) => r.service === 'imds').map((r) => `${r.action} ${r.status}`);
    expect(imds).toEqual(['PUT /latest/api/token 405', 'GET /latest/meta-data/instance-id 200', 'GET /latest/meta-data/placement/availability-zone 200']);
    expect((await detect.proc.stop()).code).toBe(0);
    // Nothing is removed on exit.
    expect(routes(subnetTable)).toContain(`${lease} → ${fake.ids.instanceId}`);

    fake.world.table(subnetTable).subnetIds.clear();
    detect.restart();
    await waitFor(() => routes(tables[0]).includes(`${lease} → ${fake.ids.instanceId}`), { what: 'the route in the main table' });
    expect(detect.messages()).toContain(`Found route table ${tables[0]} (the main table of VPC ${fake.ids.vpcId}; subnet ${fake.ids.subnetId} has none of its own)`);
    await detect.proc.stop();
    fake.imds.refuseTokens = undefined;
  });
});
