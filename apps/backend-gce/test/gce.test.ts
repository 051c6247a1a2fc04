import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  createLab,
  envValue,
  forwardIntoNamespace,
  startFakeGce,
  startFlanneld,
  startLabEtcd,
  tempDir,
  waitFor,
  type Daemon,
  type EtcdServer,
  type FakeGce,
  type Lab,
  type TempDir,
} from '@flannel-ts/testing';

const BINARY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/apps/backend-gce/flannel-backend-gce');
const CONFIG = '{"Network":"10.244.0.0/16","Backend":{"Type":"gce","RouteCheckInterval":1}}';

let lab: Lab;
let etcd: EtcdServer;
let fake: FakeGce;
let tmp: TempDir;
let sockets: TempDir;
let daemon: Daemon;
let subnet: string;
let routeName: string;

const ownRoute = () => fake.route(routeName);
const inPlace = () => ownRoute()?.nextHopInstance === fake.instanceLink && ownRoute()?.destRange === subnet;
const backendStarts = () => daemon.messages().filter((m) => m.startsWith('Started backend')).length;
const FOREIGN = [
  { name: 'default-route-abc', destRange: '0.0.0.0/0', nextHopIp: '192.0.2.1' },
  { name: 'flannel-10-244-200-0-24', destRange: '10.244.200.0/24', nextHopIp: '192.0.2.200' },
];

beforeAll(async () => {
  assertBuilt();
  tmp = tempDir('gce-test');
  sockets = tempDir('c');
  lab = await createLab({ hosts: 1 });
  etcd = await startLabEtcd(lab);
  await etcd.etcdctl(['put', '/coreos.com/network/config', CONFIG]);
  fake = await startFakeGce();
  lab.addCleanup(() => fake.close());
  for (const r of FOREIGN) fake.putRoute(r);
  await forwardIntoNamespace(lab, lab.hosts[0]!.ns, fake, sockets.path);
  daemon = await startFlanneld(lab, lab.hosts[0]!, path.join(tmp.path, 'h1'), { env: fake.env() });
  await waitFor(() => daemon.env(), { what: 'the subnet file' });
  subnet = envValue(daemon.env(), 'FLANNEL_SUBNET')!.replace(/\.1\//, '.0/');
  routeName = `flannel-${subnet.replaceAll('.', '-').replace('/', '-')}`;
});
afterAll(async () => {
  await lab?.destroy();
  await tmp?.remove();
  await sockets?.remove();
});

describe('gce backend under flanneld, against the fake GCE', () => {
  it('creates the route of its lease to its own instance; the lease has no BackendType', async () => {
    await waitFor(inPlace, { what: `route ${routeName}` });
    expect(ownRoute()).toEqual({ name: routeName, destRange: subnet, network: fake.networkLink, nextHopInstance: fake.instanceLink, priority: 1000 });
    expect(envValue(daemon.env(), 'FLANNEL_MTU')).toBe('1500');
    const lease = await etcd.etcdctl(['get', '--print-value-only', `/coreos.com/network/subnets/${subnet.replace('/', '-')}`]);
    expect(JSON.parse(lease)).toEqual({ PublicIP: lab.hosts[0]!.ip, PublicIPv6: null });
    expect(fake.requests().every((r) => r.status < 500)).toBe(true);
  });

  it('restores the route when someone deletes it, and waits for the insert operation to be DONE', async () => {
    await waitFor(inPlace, { what: `route ${routeName}` });
    fake.faults.operationPolls = 3;
    const inserted = daemon.messages().filter((m) => m.startsWith(`Inserted route ${routeName}`)).length;
    const from = fake.requests().length;
    fake.deleteRoute(routeName);
    await waitFor(() => daemon.messages().filter((m) => m.startsWith(`Inserted route ${routeName}`)).length > inserted, { what: 'the route to be inserted again' });
    const calls = fake.requests().slice(from).map((r) => r.call);
    const insert = calls.indexOf('routes.insert');
    expect(insert).toBeGreaterThan(-1);
    // Logged only after the operation's 3 RUNNING answers and its DONE.
    expect(calls.slice(insert + 1, insert + 5)).toEqual(Array(4).fill('globalOperations.get'));
    expect(inPlace()).toBe(true);
    fake.faults.operationPolls = 1;
  });

  it('deletes a route of its name pointing elsewhere, then inserts its own', async () => {
    await waitFor(inPlace, { what: `route ${routeName}` });
    const other = fake.addInstance('node-2');
    const deletes = fake.count('routes.delete');
    fake.alterRoute(routeName, { nextHopInstance: other });
    await waitFor(inPlace, { what: 'the route to point at this instance again' });
    expect(fake.count('routes.delete')).toBe(deletes + 1);
    expect(daemon.messages()).toContain(`Deleting conflicting route ${routeName} (${subnet} → ${other})`);
  });

  it('says once per attempt, in one line, that the routes quota is used up, keeps running, and creates the route once the quota is raised', async () => {
    await waitFor(inPlace, { what: `route ${routeName}` });
    const starts = backendStarts();
    fake.faults.routeQuota = fake.routes().length - 1;
    fake.deleteRoute(routeName);
    const quotaLines = () => daemon.messages().filter((m) => m.includes('QUOTA_EXCEEDED'));
    await waitFor(() => quotaLines().length >= 2, { what: 'two failed attempts' });
    for (const line of quotaLines()) {
      expect(line).not.toContain('\n');
      expect(line).toMatch(
        new RegExp(`^Keeping route ${routeName} \\(${subnet.replace(/\./g, '\\.')} → this instance\\) failed \\(trying again in [\\d.]+ s\\): inserting route ${routeName} .*QUOTA_EXCEEDED: Quota 'ROUTES' exceeded.*\\(project flannel-test has used its routes quota: raise the ROUTES quota or remove routes\\)$`),
      );
    }
    fake.faults.routeQuota = undefined;
    await waitFor(inPlace, { what: 'the route once the quota is raised' });
    expect(backendStarts()).toBe(starts);
    expect(daemon.proc.hasExited()).toBe(false);
  });

  it('rides out throttling and server errors with backoff, deleting nothing, and converges', async () => {
    await waitFor(inPlace, { what: `route ${routeName}` });
    const deletes = fake.count('routes.delete');
    const starts = backendStarts();
    const recovered = () => daemon.messages().filter((m) => m.includes('works again after')).length;
    const before = recovered();
    fake.faults.failNext(3, { status: 429 });
    fake.faults.failNext(2, { status: 503 });
    fake.faults.failNext(2, { status: 500, calls: ['routes.insert'] });
    fake.deleteRoute(routeName);
    await waitFor(() => recovered() > before && inPlace(), { what: 'the route after the failures' });
    expect(fake.count('routes.delete')).toBe(deletes);
    expect(daemon.messages().some((m) => m.includes('HTTP 429 rateLimitExceeded'))).toBe(true);
    expect(backendStarts()).toBe(starts);
  });

  it('never touches routes it does not own', () => {
    for (const r of FOREIGN) expect(fake.route(r.name)).toEqual({ network: fake.networkLink, priority: 1000, ...r });
    const touched = fake.requests().filter((r) => r.call !== 'routes.list' && FOREIGN.some((f) => r.path.endsWith(`/${f.name}`)));
    expect(touched).toEqual([]);
  });
});

describe('flannel-backend-gce run by hand', () => {
  it('keeps the route of the lease given by flags, then of a changed lease from stdin, prints its messages, and leaves the routes on exit', async () => {
    const out = path.join(tmp.path, 'standalone.ndjson');
    const input = path.join(tmp.path, 'standalone-in.ndjson');
    writeFileSync(input, '');
    const proc = lab.spawn(
      lab.hosts[0]!.ns,
      ['bash', '-c', `exec "$0" "$@" < <(exec tail -f ${input})`, BINARY, '-stdin', '-network', '10.245.0.0/16', '-subnet', '10.245.7.0/24', '-iface', 'eth0', '-state-dir', path.join(tmp.path, 'sa'), '-backend-config', '{"Type":"gce","RouteCheckInterval":1}'],
      { stdout: out, stderr: path.join(tmp.path, 'standalone.log'), env: fake.env() },
    );
    const messages = () => readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; mtu?: number; backendType?: string; detail?: string });
    await waitFor(() => messages().some((m) => m.type === 'ready'), { what: 'ready' });
    expect(fake.route('flannel-10-245-7-0-24')?.nextHopInstance).toBe(fake.instanceLink);
    expect(messages()[0]).toEqual({ v: 1, type: 'propose', mtu: 1500 });
    await waitFor(() => messages().some((m) => m.type === 'status' && m.detail === 'route flannel-10-245-7-0-24 in place'), { what: 'a status line' });
    // A changed lease gets its own route; the old one stays, as Go flanneld leaves it.
    appendFileSync(input, `${JSON.stringify({ v: 1, type: 'lease', subnet: '10.245.8.0/24', publicIp: lab.hosts[0]!.ip })}\n`);
    await waitFor(() => fake.route('flannel-10-245-8-0-24')?.nextHopInstance === fake.instanceLink, { what: 'the route of the new lease' });
    await waitFor(() => messages().filter((m) => m.type === 'ready').length === 2, { what: 'the second ready' });
    expect((await proc.stop()).code).toBe(0);
    expect(fake.route('flannel-10-245-7-0-24')).toBeDefined();
    expect(fake.route('flannel-10-245-8-0-24')).toBeDefined();
  });
});
