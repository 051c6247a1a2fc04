// The backend of the last run's type is forked before etcd answers; the config has the last word.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, type EtcdServer, type Lab } from '@flannel-ts/testing';
import { assertBuilt, CONFIG_KEY, startFlanneld, type Daemon } from '@flannel-ts/testing';
import { daemonIdentity } from '../src/daemon-identity.js';
import { BACKEND_TYPE_FILE } from '../src/early-backend.js';
import { startDaemonLab, type DaemonLab } from './daemon-lab.js';

let dl: DaemonLab;
let lab: Lab;
let etcd: EtcdServer;

beforeAll(async () => {
  assertBuilt();
  dl = await startDaemonLab('early-backend-test');
  ({ lab, etcd } = dl);
});
afterAll(async () => {
  await dl?.destroy();
});

const config = (type: string) => JSON.stringify({ Network: '10.244.0.0/16', Backend: { Type: type } });
const rememberedFile = (d: Daemon) => path.join(daemonIdentity('/coreos.com/network', d.subnetFile, path.join(d.dir, 'state')).stateDir, BACKEND_TYPE_FILE);
const alive = (pid: number) => existsSync(`/proc/${pid}`);

/** The daemon's messages from index `from` on (the log file keeps earlier runs). */
const since = (d: Daemon, from: number) => d.messages().slice(from);
const startedBackends = (messages: string[]) =>
  messages.flatMap((m) => {
    const match = /^Started backend (\S+) \(pid (\d+)\)$/.exec(m);
    return match ? [{ binary: path.basename(match[1]!), pid: Number(match[2]) }] : [];
  });

const launcherOf = (messages: string[]): number | undefined => {
  for (const m of messages) {
    const match = /^Started a backend launcher \(pid (\d+)\)/.exec(m);
    if (match) return Number(match[1]);
  }
  return undefined;
};

/** A daemon on a new state directory (a first boot), started while etcd holds no config. */
async function firstBoot(): Promise<{ d: Daemon; launcher: number }> {
  const dir = await dl.fresh();
  await etcd.etcdctl(['del', CONFIG_KEY]);
  // An earlier test's vxlan device stays after its SIGTERM: a launcher's vxlan backend must make its own.
  await lab.exec(lab.hosts[0]!.ns, ['ip', 'link', 'del', 'flannel.1']);
  const d = await startFlanneld(lab, lab.hosts[0]!, dir, { args: ['-v=1'] });
  const launcher = await waitFor(() => launcherOf(d.messages()), { what: 'the backend launcher' });
  expect(d.messages().some((m) => m.startsWith('Found network config'))).toBe(false);
  return { d, launcher };
}

/** A first run with `type`, so the state directory remembers it; returns the stopped daemon. */
async function firstRun(type: string): Promise<Daemon> {
  const dir = await dl.fresh();
  await etcd.etcdctl(['put', CONFIG_KEY, config(type)]);
  const d = await startFlanneld(lab, lab.hosts[0]!, dir, { args: ['-v=2'] });
  await waitFor(() => d.env(), { what: 'the first run to write its subnet file' });
  expect(readFileSync(rememberedFile(d), 'utf8')).toBe(`${type}\n`);
  expect((await d.proc.stop()).code).toBe(0);
  return d;
}

describe('early backend', () => {
  it('forks the last run\'s backend before the config arrives and serves the lease with it', async () => {
    const d = await firstRun('host-gw');
    // Without a config in etcd the daemon waits; the remembered backend is running already.
    await etcd.etcdctl(['del', CONFIG_KEY]);
    const from = d.messages().length;
    d.restart();
    const [early] = await waitFor(() => startedBackends(since(d, from)).length === 1 && startedBackends(since(d, from)), { what: 'the early backend' });
    expect(early!.binary).toBe('flannel-backend-hostgw');
    expect(since(d, from).some((m) => m.startsWith('Found network config'))).toBe(false);
    expect(alive(early!.pid)).toBe(true);

    await etcd.etcdctl(['put', CONFIG_KEY, config('host-gw')]);
    await waitFor(() => since(d, from).includes('Watching for new subnet leases'), { what: 'the daemon to run' });
    // The same process got init and the lease: no second backend.
    expect(startedBackends(since(d, from))).toEqual([early]);
    const timeline = since(d, from).find((m) => m.startsWith('Start-up timeline (ms since exec): '));
    expect(timeline).toMatch(/^Start-up timeline \(ms since exec\): node \d+, bundle \d+, .*backend forked \d+.*config \d+.*subnet file \d+/);
    expect(timeline!.indexOf('backend forked')).toBeLessThan(timeline!.indexOf('config'));
    await d.proc.stop();
  });

  it('discards a wrongly guessed backend and starts the config\'s', async () => {
    const d = await firstRun('host-gw');
    await etcd.etcdctl(['put', CONFIG_KEY, config('vxlan')]);
    const from = d.messages().length;
    d.restart();
    await waitFor(() => since(d, from).includes('Watching for new subnet leases'), { what: 'the daemon to run' });
    const started = startedBackends(since(d, from));
    expect(started.map((s) => s.binary)).toEqual(['flannel-backend-hostgw', 'flannel-backend-vxlan']);
    await waitFor(() => !alive(started[0]!.pid), { what: 'the discarded host-gw backend to exit' });
    expect(alive(started[1]!.pid)).toBe(true);
    expect(readFileSync(rememberedFile(d), 'utf8')).toBe('vxlan\n');
    await d.proc.stop();
  });

  it('an alloc config discards the early backend and forgets the type', async () => {
    const d = await firstRun('host-gw');
    await etcd.etcdctl(['put', CONFIG_KEY, config('alloc')]);
    const from = d.messages().length;
    d.restart();
    await waitFor(() => since(d, from).includes('Watching for new subnet leases'), { what: 'the daemon to run' });
    const [early] = startedBackends(since(d, from));
    expect(early?.binary).toBe('flannel-backend-hostgw');
    await waitFor(() => !alive(early!.pid), { what: 'the discarded backend to exit' });
    expect(existsSync(rememberedFile(d))).toBe(false);
    await d.proc.stop();
  });

  it('an unreadable or unknown remembered type is ignored', async () => {
    const d = await firstRun('host-gw');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(rememberedFile(d), 'no-such-backend\n');
    const from = d.messages().length;
    d.restart();
    await waitFor(() => since(d, from).includes('Watching for new subnet leases'), { what: 'the daemon to run' });
    const messages = since(d, from);
    // Started only after the config was found.
    const started = messages.findIndex((m) => m.startsWith('Started backend'));
    expect(started).toBeGreaterThan(messages.findIndex((m) => m.startsWith('Found network config')));
    expect(readFileSync(rememberedFile(d), 'utf8')).toBe('host-gw\n');
    await d.proc.stop();
  });
  it('on a first boot forks a launcher before the config arrives, which becomes the config\'s backend', async () => {
    const { d, launcher } = await firstBoot();
    expect(alive(launcher)).toBe(true);
    await etcd.etcdctl(['put', CONFIG_KEY, config('vxlan')]);
    await waitFor(() => d.messages().includes('Watching for new subnet leases'), { what: 'the daemon to run' });
    // One process: the launcher runs the vxlan backend, which made its device and got the lease.
    expect(startedBackends(d.messages())).toEqual([{ binary: 'flannel-backend-vxlan', pid: launcher }]);
    // ps shows the backend it became.
    expect(readFileSync(`/proc/${launcher}/cmdline`, 'utf8')).toMatch(/^\S*flannel-backend-vxlan -v=1/);
    expect((await lab.exec(lab.hosts[0]!.ns, ['ip', '-o', 'link', 'show', 'flannel.1'])).stdout).toContain('flannel.1');
    expect(d.messages().some((m) => m.startsWith('Lease ') && m.includes(' on flannel.1 '))).toBe(true);
    expect(readFileSync(rememberedFile(d), 'utf8')).toBe('vxlan\n');
    expect((await d.proc.stop()).code).toBe(0);
    await waitFor(() => !alive(launcher), { what: 'the backend to exit with flanneld' });
  });

  it('on a first boot with an alloc config, the launcher is discarded', async () => {
    const { d, launcher } = await firstBoot();
    await etcd.etcdctl(['put', CONFIG_KEY, config('alloc')]);
    await waitFor(() => d.messages().includes('Watching for new subnet leases'), { what: 'the daemon to run' });
    await waitFor(() => !alive(launcher), { what: 'the launcher to exit' });
    expect(startedBackends(d.messages())).toEqual([]);
    await d.proc.stop();
  });

  it('a launcher gone before the config came is replaced by a backend started as usual', async () => {
    const { d, launcher } = await firstBoot();
    process.kill(launcher, 'SIGKILL');
    await waitFor(() => !alive(launcher), { what: 'the launcher to be gone' });
    await etcd.etcdctl(['put', CONFIG_KEY, config('host-gw')]);
    await waitFor(() => d.messages().includes('Watching for new subnet leases'), { what: 'the daemon to run' });
    const started = startedBackends(d.messages());
    expect(started.map((s) => s.binary)).toEqual(['flannel-backend-hostgw']);
    expect(started[0]!.pid).not.toBe(launcher);
    expect(alive(started[0]!.pid)).toBe(true);
    await d.proc.stop();
  });
});
