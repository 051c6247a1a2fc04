import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '@flannel-ts/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

let lab: Lab;
beforeAll(async () => {
  lab = await createLab({ hosts: 1 });
});
afterAll(async () => {
  await lab?.destroy();
});

describe('the udp datapath addon', () => {
  it('opens flannel0, runs and stops its threads 60 times with traffic, and leaves no thread, descriptor or device behind', async () => {
    const host = lab.hosts[0]!;
    const run = await lab.exec(host.ns, ['node', '--import', 'tsx', path.join(here, 'fixtures/lifecycle.ts'), host.ip], { cwd: root, timeoutMs: 60_000 });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(result['names']).toEqual(['flannel0']);
    // One TUN queue per online CPU (at most 8), each with a thread per direction.
    const queues = Math.min(cpus().length, 8);
    expect(result['queues']).toBe(queues);
    expect(result['deviceQueues']).toBe(queues);
    const perQueue = Array.from({ length: queues }, (_, i) => [`udp-rx-${i}`, `udp-tx-${i}`]).flat();
    expect(result['runningThreads']).toEqual(perQueue.sort());
    expect(result['deviceAfterClose']).toBe(false);
    expect(result['leakedFds']).toEqual([]);
    expect(result['leakedThreads']).toEqual([]);
    expect((result['lastCounters'] as Record<string, number>)['udpReceivedDatagrams']).toBeGreaterThan(0);
    expect(result['twoAtOnce']).toEqual(['flannel0', 'flannel1']);
    expect(result['bindError']).toEqual({ code: 'EADDRINUSE', message: `EADDRINUSE: address already in use, bind '${host.ip}:8285'` });
  });
});
