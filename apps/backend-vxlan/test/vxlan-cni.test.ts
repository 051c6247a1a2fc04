// Containers made by our CNI plugin on 3 vxlan hosts, as a runtime would make them; and what a
// container that ignores FLANNEL_MTU gets told about the path MTU.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  createLab,
  envValue,
  iperf3Client,
  iperf3Server,
  pingOnce,
  startFlanneld,
  startLabEtcd,
  tempDir,
  waitFor,
  type Daemon,
  type Lab,
  type TempDir,
} from '@flannel-ts/testing';

const PLUGIN = fileURLToPath(new URL('../../../dist/apps/cni-flannel/flannel', import.meta.url));
const CONFIG = '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}';

interface Container {
  readonly ns: string;
  readonly ip: string;
  readonly host: Daemon;
}

let lab: Lab;
let tmp: TempDir;
let containers: Container[];

async function cniAdd(d: Daemon, ns: string, id: string): Promise<string> {
  const config = {
    cniVersion: '0.3.1',
    name: 'cbr0',
    type: 'flannel',
    subnetFile: d.subnetFile,
    dataDir: path.join(d.dir, 'cni'),
    ipam: { dataDir: path.join(d.dir, 'host-local') },
    delegate: { isDefaultGateway: true },
  };
  const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: id, CNI_NETNS: `/var/run/netns/${ns}`, CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni' };
  const r = await lab.exec(d.host.ns, [PLUGIN], { env, input: JSON.stringify(config) });
  if (r.exitCode !== 0) throw new Error(`CNI ADD on ${d.host.name} failed: ${r.stdout} ${r.stderr}`);
  const result = JSON.parse(r.stdout) as { ips: Array<{ address: string }> };
  return result.ips[0]!.address.split('/')[0]!;
}

beforeAll(async () => {
  assertBuilt();
  if (!existsSync(PLUGIN)) throw new Error(`${PLUGIN} is missing: run "npm run build" first`);
  tmp = await tempDir('vxlan-cni');
  lab = await createLab({ hosts: 3 });
  const etcd = await startLabEtcd(lab);
  await etcd.etcdctl(['put', '/coreos.com/network/config', CONFIG]);
  const daemons = await Promise.all(lab.hosts.map((h) => startFlanneld(lab, h, path.join(tmp.path, h.name))));
  await Promise.all(daemons.map((d) => waitFor(() => d.env(), { what: `${d.host.name}'s subnet file` })));
  containers = [];
  for (const [i, d] of daemons.entries()) {
    const ns = `${lab.prefix}-c${i + 1}`;
    await lab.addNamespace(ns);
    containers.push({ ns, ip: await cniAdd(d, ns, `ctr${i + 1}`), host: d });
  }
});

afterAll(async () => {
  await lab?.destroy();
  await tmp?.remove();
});

describe('vxlan with containers made by the flannel CNI plugin', () => {
  it('gives each container an address in its host subnet with FLANNEL_MTU, and every pair pings', async () => {
    for (const c of containers) {
      const subnet = envValue(c.host.env(), 'FLANNEL_SUBNET')!.replace(/\.1\/24$/, '.');
      expect(c.ip.startsWith(subnet)).toBe(true);
      expect((await lab.exec(c.ns, ['cat', '/sys/class/net/eth0/mtu'])).stdout.trim()).toBe('1450');
    }
    await waitFor(
      async () => {
        for (const a of containers) for (const b of containers) if (a !== b && !(await pingOnce(lab, a.ns, b.ip))) return false;
        return true;
      },
      { what: 'every container pair to ping' },
    );
  });

  it('carries TCP between containers on different hosts', async () => {
    const [a, b] = [containers[0]!, containers[2]!];
    const server = await iperf3Server(lab, b.ns);
    const result = await iperf3Client(lab, a.ns, b.ip, { seconds: 1 });
    await server.stop();
    expect(result.bitsPerSecond).toBeGreaterThan(0);
  });

  it('tells a container that ignores FLANNEL_MTU the path MTU instead of dropping its packets silently', async () => {
    const [a, b] = [containers[0]!, containers[1]!];
    // The container and its host-side veth (and the bridge) at 1500, as a runtime ignoring FLANNEL_MTU leaves them.
    const hostNs = a.host.host.ns;
    const peerIndex = (await lab.exec(a.ns, ['cat', '/sys/class/net/eth0/iflink'])).stdout.trim();
    const hostVeth = (await lab.exec(hostNs, ['ip', '-o', 'link'])).stdout.split('\n').find((l) => l.startsWith(`${peerIndex}:`))!.split(':')[1]!.trim().split('@')[0]!;
    await lab.exec(a.ns, ['ip', 'link', 'set', 'eth0', 'mtu', '1500']);
    await lab.exec(hostNs, ['ip', 'link', 'set', hostVeth, 'mtu', '1500']);
    await lab.exec(hostNs, ['ip', 'link', 'set', 'cni0', 'mtu', '1500']);
    const ping = await lab.exec(a.ns, ['ping', '-n', '-c', '2', '-W', '1', '-M', 'do', '-s', '1472', b.ip]);
    expect(ping.stdout + ping.stderr).toMatch(/mtu ?= ?1450/);
    // At FLANNEL_MTU it crosses.
    expect(await pingOnce(lab, a.ns, b.ip, { size: 1450 - 28, dontFragment: true })).toBe(true);
  });
});
