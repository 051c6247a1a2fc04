import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, forwardIntoNamespace, startFakeEc2, tempDir, waitFor, type FakeEc2, type Lab, type TempDir } from '@flannel-ts/testing';

const BINARY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/apps/backend-awsvpc/flannel-backend-awsvpc');

let lab: Lab;
let tmp: TempDir;
let sockets: TempDir;
let fake: FakeEc2;

beforeAll(async () => {
  tmp = tempDir('awsvpc-standalone');
  sockets = tempDir('c');
  lab = await createLab({ hosts: 1 });
  fake = await startFakeEc2({ privateIp: lab.hosts[0]!.ip });
  for (const port of [fake.ec2Port, fake.imdsPort]) await forwardIntoNamespace(lab, lab.hosts[0]!.ns, { port }, sockets.path);
});
afterAll(async () => {
  await lab?.destroy();
  await fake?.close();
  await tmp?.remove();
  await sockets?.remove();
});

const routes = (tableId: string) =>
  [...fake.world.table(tableId).routes.values()].map((r) => `${r.destination} → ${'instanceId' in r.target ? r.target.instanceId : r.target.gatewayId}`);
const lines = (file: string) =>
  readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; detail?: string; msg?: string });

describe('flannel-backend-awsvpc run by hand', () => {
  it('keeps the route of the lease given by flags, then of a changed lease from stdin, leaving the old one, and exits 0', async () => {
    const table = fake.ids.mainTableId;
    const out = path.join(tmp.path, 'out.ndjson');
    const err = path.join(tmp.path, 'err.log');
    const input = path.join(tmp.path, 'in.ndjson');
    writeFileSync(input, `${JSON.stringify({ v: 1, type: 'lease', subnet: '10.244.7.0/24', publicIp: lab.hosts[0]!.ip })}\n`);
    const backendConfig = JSON.stringify({ Type: 'aws-vpc', RouteTableID: table, RouteCheckInterval: 1 });
    const proc = lab.spawn(
      lab.hosts[0]!.ns,
      ['sh', '-c', `exec "$0" "$@" < ${input}`, BINARY, '-network', '10.244.0.0/16', '-subnet', '10.244.1.0/24', '-iface', 'eth0', '-state-dir', path.join(tmp.path, 'state'), '-backend-config', backendConfig, '-stdin'],
      { stdout: out, stderr: err, env: fake.env() },
    );
    await waitFor(() => routes(table).includes(`10.244.7.0/24 → ${fake.ids.instanceId}`), { what: 'the route of the changed lease' });
    expect(routes(table)).toContain(`10.244.1.0/24 → ${fake.ids.instanceId}`);
    // The route is in the fake before the backend's answer to the lease is written: wait for that too.
    const answers = () => lines(out).map((m) => m.type).filter((t) => t !== 'status');
    await waitFor(() => answers().filter((t) => t === 'ready').length >= 2, { what: 'ready for the changed lease' });
    expect(answers().slice(0, 3)).toEqual(['propose', 'ready', 'ready']);
    expect(lines(out)[0]).toEqual({ v: 1, type: 'propose', mtu: 1500 });
    await waitFor(() => lines(out).some((m) => m.type === 'status' && m.detail === `route 10.244.7.0/24 → ${fake.ids.instanceId} in place in ${table}`), {
      what: 'a status naming the route in place',
    });
    expect((await proc.stop()).code).toBe(0);
    expect(routes(table)).toContain(`10.244.7.0/24 → ${fake.ids.instanceId}`);
    expect(lines(err).map((l) => l.msg)).toContain('Lease changed from 10.244.1.0/24 to 10.244.7.0/24; the route of the old one is left in place');
  });

  it('answers ready even when the cloud refuses, and says why in its status', async () => {
    const out = path.join(tmp.path, 'out2.ndjson');
    fake.faults.deny('DescribeRouteTables');
    const backendConfig = JSON.stringify({ Type: 'aws-vpc', RouteTableID: fake.ids.mainTableId, RouteCheckInterval: 1 });
    const proc = lab.spawn(
      lab.hosts[0]!.ns,
      [BINARY, '-network', '10.244.0.0/16', '-subnet', '10.244.2.0/24', '-iface', 'eth0', '-state-dir', path.join(tmp.path, 'state2'), '-backend-config', backendConfig],
      { stdout: out, stderr: path.join(tmp.path, 'err2.log'), env: fake.env() },
    );
    await waitFor(() => lines(out).some((m) => m.type === 'status' && m.detail?.includes('ec2:DescribeRouteTables')), { what: 'a status naming the permission' });
    expect(lines(out).map((m) => m.type)).toContain('ready');
    fake.faults.allow('DescribeRouteTables');
    await waitFor(() => routes(fake.ids.mainTableId).includes(`10.244.2.0/24 → ${fake.ids.instanceId}`), { what: 'the route once allowed' });
    expect((await proc.stop()).code).toBe(0);
  });

  it('refuses a bad RouteTableID with one line naming it', async () => {
    const result = await lab.exec(lab.hosts[0]!.ns, [BINARY, '-network', '10.244.0.0/16', '-subnet', '10.244.3.0/24', '-iface', 'eth0', '-state-dir', path.join(tmp.path, 'state3'), '-backend-config', '{"Type":"aws-vpc","RouteTableID":"main"}'], { input: '', env: fake.env() });
    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).toContain('RouteTableID');
  });
});
