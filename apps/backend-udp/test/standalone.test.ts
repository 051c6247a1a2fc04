import { existsSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPod, createLab, pingOnce, runChecked, tempDir, waitFor, type Lab, type TempDir } from '@flannel-ts/testing';
import { BACKEND, NETWORK, tunState } from './udp-lab.js';

let lab: Lab;
let tmp: TempDir;

beforeAll(async () => {
  tmp = await tempDir('udp-standalone');
  lab = await createLab({ hosts: 2 });
});
afterAll(async () => {
  await lab?.destroy();
  await tmp?.remove();
});

const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>) : [];

describe('flannel-backend-udp run by hand', () => {
  it('takes peers and lease changes from flags and NDJSON on stdin, prints its messages and, at -v=1, its counters; its device goes with it', async () => {
    const [h1, h2] = [lab.hosts[0]!, lab.hosts[1]!];
    const out = (h: string) => path.join(tmp.path, `${h}.out`);
    const err = (h: string) => path.join(tmp.path, `${h}.err`);
    // h1 knows h2 from a flag; h2 learns about h1 from stdin (a FIFO the test writes to).
    const first = lab.spawn(h1.ns, [BACKEND, '-network', NETWORK, '-subnet', '10.244.1.0/24', '-peer', `10.244.2.0/24=${h2.ip}`, '-iface', 'eth0', '-state-dir', path.join(tmp.path, 's1')], {
      stdout: out('h1'),
      stderr: err('h1'),
    });
    const fifo = path.join(tmp.path, 'h2.in');
    await runChecked('mkfifo', [fifo]);
    const second = lab.spawn(h2.ns, ['sh', '-c', `exec "$0" "$@" < ${fifo}`, BACKEND, '-network', NETWORK, '-subnet', '10.244.2.0/24', '-iface', 'eth0', '-state-dir', path.join(tmp.path, 's2'), '-stdin', '-v', '1'], {
      stdout: out('h2'),
      stderr: err('h2'),
    });
    const input = await open(fifo, 'w');
    await waitFor(() => [out('h1'), out('h2')].every((f) => lines(f).some((m) => m['type'] === 'ready')), { what: 'both backends' });
    expect(lines(out('h2'))[0]).toEqual({ v: 1, type: 'propose', mtu: 1472 });
    expect(await tunState(lab, h2.ns)).toEqual({ addresses: ['10.244.2.0/32'], mtu: 1472, route: '10.244.0.0/16 dev flannel0' });
    const pods = await Promise.all([
      addPod(lab, h1, { subnet: '10.244.1.1/24', mtu: 1472 }),
      addPod(lab, h2, { subnet: '10.244.2.1/24', mtu: 1472 }),
    ]);
    // h2 does not know h1 yet: the reply has nowhere to go.
    expect(await pingOnce(lab, pods[0]!.ns, pods[1]!.ip)).toBe(false);

    await input.write(`${JSON.stringify({ v: 1, type: 'peers', snapshot: [{ subnet: '10.244.1.0/24', publicIp: h1.ip }] })}\n`);
    await waitFor(() => pingOnce(lab, pods[0]!.ns, pods[1]!.ip), { what: 'the peer from stdin to route' });
    const status = lines(out('h2')).filter((m) => m['type'] === 'status').at(-1) as { counters: Record<string, number>; detail: string };
    expect(status.detail).toBe('flannel0 10.244.2.0/32, 1 peers, offloads on, gso, gro');
    expect(status.counters['peers']).toBe(1);

    // -v=1: a line of the counters that changed, every 10 s.
    await waitFor(() => lines(err('h2')).some((l) => l['msg'] === 'datapath counters'), { what: 'a counters line on stderr' });
    const logged = lines(err('h2')).find((l) => l['msg'] === 'datapath counters')!['counters'] as Record<string, number>;
    expect(logged['udpReceivedDatagrams']).toBeGreaterThan(0);

    // A changed lease: the device's address follows, the route stays.
    await input.write(`${JSON.stringify({ v: 1, type: 'lease', subnet: '10.244.5.0/24', publicIp: h2.ip })}\n`);
    await waitFor(() => lines(out('h2')).filter((m) => m['type'] === 'ready').length === 2, { what: 'ready for the new lease' });
    expect(await tunState(lab, h2.ns)).toEqual({ addresses: ['10.244.5.0/32'], mtu: 1472, route: '10.244.0.0/16 dev flannel0' });

    await input.write(`${JSON.stringify({ v: 1, type: 'shutdown' })}\n`);
    await input.close();
    expect((await second.exited).code).toBe(0);
    expect((await lab.exec(h2.ns, ['ip', 'link', 'show', 'flannel0'])).exitCode).not.toBe(0);

    // A packet thread that stops (its device deleted under it) ends the backend through the runner:
    // a fatal error message, then exit 1, so that flanneld restarts it.
    expect((await lab.exec(h1.ns, ['ip', 'link', 'del', 'flannel0'])).exitCode).toBe(0);
    expect((await first.exited).code).toBe(1);
    expect(lines(out('h1')).filter((m) => m['type'] === 'error')).toEqual([
      { v: 1, type: 'error', fatal: true, message: expect.stringMatching(/^udp datapath stopped: /) },
    ]);
  });
});
