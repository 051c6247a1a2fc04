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

describe('the udp datapath steers outgoing packets to TUN queues by flow', () => {
  it('computes with its eBPF program what its reference computes, symmetrically, and each flow is read from the queue foretold', async () => {
    const host = lab.hosts[0]!;
    const run = await lab.exec(host.ns, ['node', '--import', 'tsx', path.join(here, 'fixtures/steering.ts'), host.ip], { cwd: root, timeoutMs: 120_000 });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(result['features']).toMatchObject({ queues: 4, steering: true });
    expect(result['features']).not.toHaveProperty('steeringProblem');
    expect(result['compared']).toBe(3000);
    expect(result['mismatches']).toEqual([]);
    expect(result['asymmetric']).toBe(0);
    const expected = result['expectedReads'] as number[];
    expect(expected.every((n) => n > 0)).toBe(true);
    expect(result['queueReads']).toEqual(expected);
  });

  it('runs without the program when it may not load one, saying which call failed', async () => {
    const host = lab.hosts[0]!;
    const withoutBpf = ['setpriv', '--bounding-set', '-bpf,-sys_admin', '--inh-caps', '-bpf,-sys_admin'];
    const fixture = ['node', '--import', 'tsx', path.join(here, 'fixtures/steering.ts'), host.ip, '--unsteered'];
    const run = await lab.exec(host.ns, [...withoutBpf, ...fixture], { cwd: root, timeoutMs: 120_000 });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(result['features']).toMatchObject({ queues: 4, steering: false, steeringProblem: 'bpf(BPF_PROG_LOAD): Operation not permitted' });
    // Every packet is still read, from whichever queue the kernel's flow table picked.
    const sum = (xs: unknown) => (xs as number[]).reduce((a, b) => a + b, 0);
    expect(sum(result['queueReads'])).toBe(sum(result['expectedReads']));
  });
});
