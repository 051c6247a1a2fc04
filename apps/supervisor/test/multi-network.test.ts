// Multi-network mode end to end: one flanneld per lab host running several networks, each with its
// own config, lease, backend, device, masq chains and env file; networks added and removed at runtime.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { masqNames } from '@flannel-ts/masq';
import { assertBuilt, envValue, pingOnce, startFlanneld, startPing, waitFor, type Daemon, type EtcdServer, type Lab, type TempDir } from '@flannel-ts/testing';
import { startDaemonLab, stopAll, type DaemonLab } from './daemon-lab.js';

const PREFIX = '/coreos.com/network';
const BLUE = '{"Network":"10.101.0.0/16","Backend":{"Type":"vxlan","VNI":1}}';
const GREEN = '{"Network":"10.102.0.0/16","Backend":{"Type":"vxlan","VNI":2}}';
const RED = '{"Network":"10.103.0.0/16","Backend":{"Type":"udp","Port":8286}}';
const ORANGE = '{"Network":"10.104.0.0/16","Backend":{"Type":"alloc"}}';
const TEAL = '{"Network":"10.105.0.0/16","Backend":{"Type":"host-gw"}}';

let dl: DaemonLab;
let lab: Lab;
let etcd: EtcdServer;
let tmp: TempDir;

beforeAll(async () => {
  assertBuilt();
  dl = await startDaemonLab('multi-network-test');
  ({ lab, etcd, tmp } = dl);
});
afterAll(async () => {
  await dl?.destroy();
});

const subnetDir = (d: Daemon) => path.join(d.dir, 'networks');
const envOf = (d: Daemon, network: string): string | undefined => {
  const file = path.join(subnetDir(d), `${network}.env`);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
};
/** The address of a host's device in `network`: its lease's first address (`10.101.7.0`). */
const deviceIp = (d: Daemon, network: string) => envValue(envOf(d, network), 'FLANNEL_SUBNET')!.replace(/\.1\/\d+$/, '.0');
const waitForEnvs = (daemons: Daemon[], network: string) =>
  Promise.all(daemons.map((d) => waitFor(() => envOf(d, network), { what: `${d.host.name}'s ${network}.env` })));

/** Every host reaches every other host's device address of `network` (through that network's device only). */
async function unreachable(daemons: Daemon[], network: string): Promise<string[]> {
  const pairs = daemons.flatMap((from) => daemons.filter((to) => to !== from).map((to) => ({ from, to })));
  const ok = await Promise.all(pairs.map(({ from, to }) => pingOnce(lab, from.host.ns, deviceIp(to, network))));
  return pairs.filter((_, i) => !ok[i]).map(({ from, to }) => `${network}: ${from.host.name} -> ${to.host.name}`);
}
const allReachable = (daemons: Daemon[], network: string) =>
  waitFor(async () => (await unreachable(daemons, network)).length === 0, { what: `every pair to ping over ${network}` });

const links = async (d: Daemon) => (await lab.exec(d.host.ns, ['ip', '-o', 'link', 'show'])).stdout;
const routes = async (d: Daemon) => (await lab.exec(d.host.ns, ['ip', '-4', 'route', 'show'])).stdout;
const natRules = async (d: Daemon) => (await lab.exec(d.host.ns, ['iptables-nft-save', '-t', 'nat'])).stdout;

function startReceiver(name: string, envFile: string) {
  const socketPath = path.join(tmp.path, `${name}.sock`);
  const outFile = path.join(tmp.path, `${name}.out`);
  const proc = lab.spawn(lab.hosts[0]!.ns, ['python3', fileURLToPath(new URL('./notify-receiver.py', import.meta.url)), socketPath, envFile], { stdout: outFile });
  const received = () =>
    existsSync(outFile)
      ? readFileSync(outFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg?: string; listening?: boolean })
      : [];
  return { socketPath, proc, received };
}

describe('flanneld --networks', () => {
  it('runs networks side by side, starts one added at runtime, waits on a bad config without blocking the others, and stops a removed one', async () => {
    const dir = await dl.fresh();
    await etcd.etcdctl(['put', `${PREFIX}/blue/config`, BLUE]);
    // green's first config is bad: blue comes up all the same.
    await etcd.etcdctl(['put', `${PREFIX}/green/config`, '{"Network":"10.102.0.0/16","Backend":{"Type":"warp"}}']);
    await etcd.etcdctl(['put', `${PREFIX}/orange/config`, ORANGE]);
    await etcd.etcdctl(['put', `${PREFIX}/teal/config`, TEAL]);
    const receiver = startReceiver('multi-notify', path.join(dir, 'h1', 'networks', 'blue.env'));
    await waitFor(() => receiver.received().some((r) => r.listening), { what: 'the notify receiver' });
    const args = (d: string) => ['--networks=blue,green,red,teal,pink', '--watch-networks', `--subnet-dir=${path.join(d, 'networks')}`, '--ip-masq', '--ip-masq-backend=iptables'];
    const daemons = await Promise.all(
      lab.hosts.map((h, i) => {
        const d = path.join(dir, h.name);
        return startFlanneld(lab, h, d, { args: args(d), ...(i === 0 ? { env: { NOTIFY_SOCKET: receiver.socketPath } } : {}) });
      }),
    );
    const [h1] = daemons as [Daemon, Daemon, Daemon];
    try {
      await waitForEnvs(daemons, 'blue');
      expect(envValue(envOf(h1, 'blue'), 'FLANNEL_NETWORK')).toBe('10.101.0.0/16');
      expect(envValue(envOf(h1, 'blue'), 'FLANNEL_MTU')).toBe('1450');
      await allReachable(daemons, 'blue');
      // host-gw has no device: each host holds its teal address on lo, reached through teal's routes.
      await waitForEnvs(daemons, 'teal');
      await Promise.all(daemons.map((d) => lab.exec(d.host.ns, ['ip', 'addr', 'add', `${deviceIp(d, 'teal')}/32`, 'dev', 'lo'])));
      await allReachable(daemons, 'teal');
      const green = 'Network "green": Couldn\'t fetch network config: config: Backend.Type: unknown backend type "warp" (known types: udp, vxlan, host-gw, aws-vpc, gce, alloc)';
      await waitFor(() => h1.messages().includes(green), { what: "green's config error" });
      expect(h1.messages()).toContain('Network "orange" is not allowed');
      // pink, added now, asks for blue's VNI: it waits, blue is untouched.
      await etcd.etcdctl(['put', `${PREFIX}/pink/config`, BLUE.replace('10.101.', '10.106.')]);
      await waitFor(() => h1.messages().includes('Network "pink": Couldn\'t fetch network config: vxlan VNI 1 is already used by network "blue"'), {
        what: "pink's VNI clash",
      });
      expect(envOf(h1, 'pink')).toBeUndefined();
      expect(envOf(h1, 'green')).toBeUndefined();

      await etcd.etcdctl(['put', `${PREFIX}/green/config`, GREEN]);
      await waitForEnvs(daemons, 'green');
      expect(envValue(envOf(h1, 'green'), 'FLANNEL_NETWORK')).toBe('10.102.0.0/16');
      await allReachable(daemons, 'green');
      for (const device of ['flannel.1:', 'flannel.2:']) expect(await links(h1)).toContain(device);
      // A rewritten config of a running network changes nothing.
      await etcd.etcdctl(['put', `${PREFIX}/blue/config`, BLUE]);
      await waitFor(() => h1.messages().includes('Network "blue": already exists'), { what: 'blue to be known already' });

      // A third network, udp, added at runtime: its TUN is named after its port.
      await etcd.etcdctl(['put', `${PREFIX}/red/config`, RED]);
      await waitForEnvs(daemons, 'red');
      expect(await links(h1)).toContain('flannel-u8286:');
      await allReachable(daemons, 'red');

      // Removing green: its device, routes and masq chains go on every host; lease and env file stay.
      const greenChain = masqNames(`${PREFIX}/green`).postroutingChain;
      expect(await natRules(h1)).toContain(`-A ${greenChain}`);
      const blueFlow = startPing(lab, h1.host.ns, deviceIp(daemons[1]!, 'blue'), { intervalMs: 50 });
      await waitFor(() => existsSync(blueFlow.outputFile) && readFileSync(blueFlow.outputFile, 'utf8').includes('bytes from'), { what: 'the blue ping' });
      await etcd.etcdctl(['del', `${PREFIX}/green/config`]);
      await etcd.etcdctl(['del', `${PREFIX}/teal/config`]);
      for (const d of daemons) {
        await waitFor(async () => !(await links(d)).includes('flannel.2:'), { what: `flannel.2 to go on ${d.host.name}` });
        await waitFor(async () => !(await routes(d)).includes('10.105.'), { what: `teal's routes to go on ${d.host.name}` });
        await waitFor(async () => !(await natRules(d)).includes(greenChain), { what: `green's masq chain to go on ${d.host.name}` });
        expect(await routes(d)).not.toContain('10.102.');
        expect(envOf(d, 'green')).toBeDefined();
        expect(envOf(d, 'teal')).toBeDefined();
      }
      expect(h1.messages()).toContain('Network "green": Deleted flannel.2 and its routes');
      expect(h1.messages()).toContain('Network "teal": Removed 2 host-gw routes');
      expect(await unreachable(daemons, 'blue')).toEqual([]);
      expect(await unreachable(daemons, 'red')).toEqual([]);
      const stats = await blueFlow.stop();
      expect(stats.lossPercent, JSON.stringify(stats)).toBe(0);
      const greenLeases = await etcd.etcdctl(['get', '--prefix', '--keys-only', `${PREFIX}/green/subnets/`]);
      expect(greenLeases.split('\n').filter((l) => l.trim())).toHaveLength(3);
      expect(await natRules(h1)).toContain(`-A ${masqNames(`${PREFIX}/blue`).postroutingChain}`);

      // Put back, it starts again with the lease it kept.
      const greenSubnet = envValue(envOf(h1, 'green'), 'FLANNEL_SUBNET');
      await etcd.etcdctl(['put', `${PREFIX}/green/config`, GREEN]);
      await waitFor(async () => (await links(h1)).includes('flannel.2:'), { what: 'flannel.2 to come back' });
      await allReachable(daemons, 'green');
      expect(envValue(envOf(h1, 'green'), 'FLANNEL_SUBNET')).toBe(greenSubnet);
    } finally {
      await stopAll(...daemons);
      await receiver.proc.stop();
    }
    expect(receiver.received().filter((r) => r.msg !== undefined)).toEqual([]);
  });

  it('without --watch-networks starts the allowed networks present at start, and only those', async () => {
    const dir = await dl.fresh();
    await etcd.etcdctl(['put', `${PREFIX}/orange/config`, ORANGE]);
    await etcd.etcdctl(['put', `${PREFIX}/blue/config`, ORANGE.replace('10.104.', '10.101.')]);
    const d = await startFlanneld(lab, lab.hosts[0]!, dir, { args: ['--networks=orange,later', `--subnet-dir=${path.join(dir, 'networks')}`] });
    try {
      await waitFor(() => envOf(d, 'orange'), { what: 'orange.env' });
      expect(envValue(envOf(d, 'orange'), 'FLANNEL_NETWORK')).toBe('10.104.0.0/16');
      expect(d.messages()).toContain('Network "blue" is not allowed');
      expect(d.messages()).toContain(`Network "later": no config at ${PREFIX}/later/config; not started (--watch-networks starts networks that appear later)`);
      await etcd.etcdctl(['put', `${PREFIX}/later/config`, ORANGE.replace('10.104.', '10.105.')]);
      // The lease watch of orange sees a peer put after the one above: by then "later" was not picked up.
      await etcd.etcdctl(['put', `${PREFIX}/orange/subnets/10.104.200.0-24`, '{"PublicIP":"192.0.2.99","PublicIPv6":null}']);
      await waitFor(() => d.messages().includes('Network "orange": Subnet added: 10.104.200.0/24 via 192.0.2.99'), { what: 'the peer' });
      expect(envOf(d, 'later')).toBeUndefined();
      expect(envOf(d, 'blue')).toBeUndefined();
      expect(await d.proc.stop()).toEqual({ code: 0, signal: null });
      expect(d.messages().at(-1)).toBe('Exiting cleanly...');
      expect(envOf(d, 'orange')).toBeDefined();
    } finally {
      await stopAll(d);
    }
  });
});
