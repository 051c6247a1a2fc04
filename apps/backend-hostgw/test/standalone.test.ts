import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, tempDir, waitFor, type Lab, type TempDir } from '@flannel-ts/testing';

const BINARY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/apps/backend-hostgw/flannel-backend-hostgw');

let lab: Lab;
let tmp: TempDir;

beforeAll(async () => {
  tmp = await tempDir('hostgw-standalone');
  lab = await createLab({ hosts: 2 });
});
afterAll(async () => {
  await lab?.destroy();
  await tmp?.remove();
});

const routes = async () => (await lab.exec(lab.hosts[0]!.ns, ['ip', '-4', 'route'])).stdout;
const lines = (file: string) =>
  readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string });

describe('flannel-backend-hostgw run by hand', () => {
  it('programs peers given by flags and NDJSON on stdin, prints its messages, and keeps routes on exit', async () => {
    const out = path.join(tmp.path, 'out.ndjson');
    const input = path.join(tmp.path, 'in.ndjson');
    // One more peer arrives as a peer-events line on stdin.
    const extra = { v: 1, type: 'peer-events', events: [{ type: 'added', lease: { subnet: '10.244.3.0/24', publicIp: '192.0.2.12', backendType: 'host-gw' } }] };
    writeFileSync(input, `${JSON.stringify(extra)}\n`);
    const proc = lab.spawn(
      lab.hosts[0]!.ns,
      ['sh', '-c', `exec "$0" "$@" < ${input}`, BINARY, '-network', '10.244.0.0/16', '-subnet', '10.244.1.0/24', '-peer', '10.244.2.0/24=192.0.2.12', '-iface', 'eth0', '-state-dir', path.join(tmp.path, 'state'), '-stdin'],
      { stdout: out, stderr: path.join(tmp.path, 'err.log') },
    );
    await waitFor(async () => (await routes()).includes('10.244.3.0/24 via 192.0.2.12 dev eth0'), { what: 'the route from stdin' });
    expect(await routes()).toContain('10.244.2.0/24 via 192.0.2.12 dev eth0');
    expect(lines(out).map((m) => m.type).filter((t) => t !== 'status').slice(0, 2)).toEqual(['propose', 'ready']);
    expect(lines(out)[0]).toMatchObject({ backendType: 'host-gw', mtu: 1500 });
    expect((await proc.stop()).code).toBe(0);
    expect(await routes()).toContain('10.244.2.0/24 via 192.0.2.12 dev eth0');
  });

  it('refuses a second backend of the same daemon, naming the lock', async () => {
    const state = path.join(tmp.path, 'state2');
    const args = ['-network', '10.244.0.0/16', '-subnet', '10.244.1.0/24', '-iface', 'eth0', '-state-dir', state, '-stdin'];
    const first = lab.spawn(lab.hosts[0]!.ns, ['sh', '-c', 'sleep 30 | exec "$0" "$@"', BINARY, ...args], { stdout: path.join(tmp.path, 'o1') });
    await waitFor(() => readFileSync(path.join(tmp.path, 'o1'), 'utf8').includes('"ready"'), { what: 'the first backend' });
    const second = await lab.exec(lab.hosts[0]!.ns, [BINARY, ...args], { input: '' });
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toContain(`${state}/backend.lock`);
    await first.stop();
  });
});
