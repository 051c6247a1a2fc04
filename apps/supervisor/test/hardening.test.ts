// flanneld against hostile input and misbehaving parts: a squatted own key, a subnet file that
// cannot be written, a backend that never answers, and what a backend may see of flanneld.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOC_CONFIG, assertBuilt, CONFIG_KEY, envValue, pidExists, startFlanneld, waitFor } from '@flannel-ts/testing';
import { startDaemonLab, stopAll, type DaemonLab } from './daemon-lab.js';
import { passedEnv } from '../src/backend-process.js';

let dl: DaemonLab;

beforeAll(async () => {
  assertBuilt();
  dl = await startDaemonLab('flanneld-hardening');
});
afterAll(async () => {
  await dl?.destroy();
});

const subnetKeyOf = (envSubnet: string) => `/coreos.com/network/subnets/${envSubnet.replace('.1/24', '.0-24')}`;
const startedPids = (messages: string[]) =>
  messages.flatMap((m) => {
    const pid = /^Started backend .* \(pid (\d+)\)$/.exec(m)?.[1];
    return pid ? [Number(pid)] : [];
  });

describe('flanneld hardening', () => {
  it('gives up its own subnet once its key holds garbage: a fresh lease, subnet.env rewritten, said once', async () => {
    const dir = await dl.fresh();
    await dl.etcd.etcdctl(['put', CONFIG_KEY, ALLOC_CONFIG]);
    const d = await startFlanneld(dl.lab, dl.lab.hosts[0]!, dir);
    const first = envValue(await waitFor(() => d.env(), { what: 'the subnet file' }), 'FLANNEL_SUBNET')!;
    await waitFor(() => d.messages().includes('Watching for new subnet leases'), { what: 'the watch' });

    await dl.etcd.etcdctl(['put', subnetKeyOf(first), 'garbage']);
    const moved = await waitFor(
      () => {
        const now = envValue(d.env(), 'FLANNEL_SUBNET');
        return now !== first && now;
      },
      { what: 'subnet.env to name a new subnet' },
    );
    expect(moved).toMatch(/^10\.244\.\d+\.1\/24$/);
    expect((await dl.etcd.etcdctl(['get', subnetKeyOf(moved), '--print-value-only'])).trim()).toBe(
      `{"PublicIP":"${dl.lab.hosts[0]!.ip}","PublicIPv6":null}`,
    );
    // The squatted key is left alone, and the squatted subnet was never asked for again.
    expect((await dl.etcd.etcdctl(['get', subnetKeyOf(first), '--print-value-only'])).trim()).toBe('garbage');
    const messages = d.messages();
    expect(messages.filter((m) => m.startsWith('Lease changed:'))).toHaveLength(1);
    expect(messages.filter((m) => m.includes('was taken by another host first'))).toEqual([]);
    expect(messages.filter((m) => m.startsWith('Failed to acquire subnet'))).toEqual([]);
    await stopAll(d);
  });

  it('applies its lease in order and retries until the subnet file can be written; it runs only then', async () => {
    const dir = await dl.fresh();
    await dl.etcd.etcdctl(['put', CONFIG_KEY, ALLOC_CONFIG]);
    // The subnet file's directory is a regular file: every write fails with ENOTDIR.
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'run'), 'in the way\n');
    const d = await startFlanneld(dl.lab, dl.lab.hosts[0]!, dir);
    const failures = () => d.messages().filter((m) => m.startsWith('Applying lease 10.244.') && m.includes('trying again in'));
    await waitFor(() => failures().length >= 2, { what: 'two failed attempts' });
    expect(failures()[0]).toMatch(/EEXIST|ENOTDIR/);
    expect(d.messages()).not.toContain('Running backend.');
    expect(d.proc.hasExited()).toBe(false);

    rmSync(path.join(dir, 'run'));
    await waitFor(() => d.messages().includes('Running backend.'), { what: 'flanneld to run once the file is written' });
    expect(envValue(d.env(), 'FLANNEL_SUBNET')).toMatch(/^10\.244\.\d+\.1\/24$/);
    await stopAll(d);
  });

  it('restarts a backend that never answers, with backoff, and stops at once on SIGTERM', async () => {
    const dir = await dl.fresh();
    await dl.etcd.etcdctl(['put', CONFIG_KEY, '{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}']);
    const fakes = path.join(dir, 'backends');
    mkdirSync(fakes, { recursive: true });
    const fake = path.join(fakes, 'flannel-backend-hostgw');
    // Keeps its IPC channel open and never says a word.
    writeFileSync(fake, `#!${process.execPath}\nprocess.on('message', () => {});\nsetInterval(() => {}, 1000);\n`);
    chmodSync(fake, 0o755);
    const d = await startFlanneld(dl.lab, dl.lab.hosts[1]!, dir, { args: ['--backend-timeout=1s'], env: { FLANNELD_BACKEND_DIR: fakes } });
    await waitFor(() => startedPids(d.messages()).length >= 3, { what: 'three starts of the silent backend' });
    const timeouts = d.messages().filter((m) => m.startsWith('backend did not answer init with propose within 1000 ms'));
    expect(timeouts.length).toBeGreaterThanOrEqual(2);
    expect(timeouts[0]).toMatch(/starting it again in 100 ms$/);
    expect(timeouts[1]).toMatch(/starting it again in 200 ms$/);

    expect((await d.proc.stop()).code).toBe(0);
    expect(d.messages().at(-1)).toBe('Exiting cleanly...');
    for (const pid of startedPids(d.messages())) expect(pidExists(pid), `backend ${pid}`).toBe(false);
    expect(d.env()).toBeUndefined();
  });

  it("passes a backend nothing of flanneld's environment but what it needs", async () => {
    const dir = await dl.fresh();
    await dl.etcd.etcdctl(['put', CONFIG_KEY, '{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}']);
    const d = await startFlanneld(dl.lab, dl.lab.hosts[2]!, dir, {
      env: { FLANNELD_ETCD_PASSWORD: 'hunter2', FLANNELD_ETCD_USERNAME: '', SECRET_TOKEN: 'abc', AWS_REGION: 'eu-west-1', GCE_METADATA_HOST: '127.0.0.1:9' },
    });
    await waitFor(() => d.messages().includes('Running backend.'), { what: 'flanneld to run' });
    const [pid] = startedPids(d.messages());
    const names = readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => kv.slice(0, kv.indexOf('=')));
    expect(names.sort()).toEqual(expect.arrayContaining(['FLANNEL_SUPERVISOR_PID', 'FLANNEL_LOG_FORMAT', 'PATH']));
    // Node's own IPC variables apart, nothing else.
    expect(names).toEqual(expect.arrayContaining(['AWS_REGION', 'GCE_METADATA_HOST']));
    expect(names).not.toContain('FLANNELD_ETCD_PASSWORD');
    expect(names).not.toContain('SECRET_TOKEN');
    // A proxy or cloud variable of the machine running the tests is passed on as well.
    const inherited = Object.keys(passedEnv(process.env));
    const allowed = ['FLANNEL_SUPERVISOR_PID', 'FLANNEL_LOG_FORMAT', 'AWS_REGION', 'GCE_METADATA_HOST', 'NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE', ...inherited];
    expect(names.filter((n) => !allowed.includes(n))).toEqual([]);
    await stopAll(d);
  });
});
