import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pingAll, pingOnce, type Lab } from '@flannel-ts/testing';
import { tcpEcho } from './tcp-echo.js';
import {
  DEV,
  envValue,
  hasPeerLines,
  kernelState,
  leaseKey,
  peerLines,
  startVxlanLab,
  subnetIp,
  subnetOf,
  vtepMacOf,
  type Daemon,
  type VxlanLab,
} from './vxlan-lab.js';

/** Sets the whole underlay (hosts' eth0, the switch's ports and br0) to `mtu`. */
async function setUnderlayMtu(lab: Lab, mtu: number): Promise<void> {
  const ports = (await lab.exec(lab.switchNs, ['ip', '-o', 'link', 'show', 'master', 'br0'])).stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(': ')[1]!.split('@')[0]!);
  for (const port of ports) expect((await lab.exec(lab.switchNs, ['ip', 'link', 'set', port, 'mtu', String(mtu)])).stderr).toBe('');
  expect((await lab.exec(lab.switchNs, ['ip', 'link', 'set', 'br0', 'mtu', String(mtu)])).stderr).toBe('');
  for (const h of lab.hosts) expect((await lab.exec(h.ns, ['ip', 'link', 'set', 'eth0', 'mtu', String(mtu)])).stderr).toBe('');
}

describe('vxlan over a 9000-byte underlay, with devices left from before', () => {
  let vx: VxlanLab;
  const LEFT_MAC = '0a:58:0a:f4:00:02';

  beforeAll(async () => {
    vx = await startVxlanLab({
      hosts: 2,
      daemons: 2,
      config: '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}',
      beforeStart: async (lab) => {
        await setUnderlayMtu(lab, 9000);
        const [h1, h2] = [lab.hosts[0]!, lab.hosts[1]!];
        // h1: a flannel.1 of another VNI (recreated); h2: a compatible one, as Go flanneld leaves it (reused, MAC kept).
        expect((await lab.exec(h1.ns, ['ip', 'link', 'add', DEV, 'type', 'vxlan', 'id', '7', 'local', h1.ip, 'dev', 'eth0', 'nolearning', 'dstport', '8472'])).stderr).toBe('');
        const h2Link = ['ip', 'link', 'add', DEV, 'address', LEFT_MAC, 'type', 'vxlan', 'id', '1', 'local', h2.ip, 'dev', 'eth0', 'nolearning', 'dstport', '8472'];
        expect((await lab.exec(h2.ns, h2Link)).stderr).toBe('');
      },
    });
  });

  afterAll(async () => {
    await vx?.destroy();
  });

  it('gives pods the underlay MTU − 50 and carries full-size DF packets and TCP', async () => {
    for (const d of vx.daemons) {
      expect(envValue(d.env(), 'FLANNEL_MTU')).toBe('8950');
      expect((await vx.lab.exec(d.host.ns, ['ip', 'link', 'show', DEV])).stdout).toContain(' mtu 8950 ');
    }
    const [a, b] = [vx.pods[0]!, vx.pods[1]!];
    expect(await pingOnce(vx.lab, a.ns, b.ip, { size: 8950 - 28, dontFragment: true })).toBe(true);
    expect(await pingOnce(vx.lab, b.ns, a.ip, { size: 8950 - 28, dontFragment: true })).toBe(true);
    expect(await tcpEcho(vx.lab, a, b, { bytes: 1_000_000 })).toBe('1000000 True');
  });

  it('recreates an incompatible flannel.1 and reuses a compatible one with its MAC', async () => {
    const [d1, d2] = [vx.daemons[0]!, vx.daemons[1]!];
    expect(d1.messages()).toContain('"flannel.1" already exists with incompatable configuration: vni 7 (wanted 1); recreating device');
    expect((await vx.lab.exec(d1.host.ns, ['ip', '-d', 'link', 'show', DEV])).stdout).toContain('vxlan id 1 ');
    expect(await vtepMacOf(vx, d2)).toBe(LEFT_MAC);
    expect(d2.messages().some((m) => m.includes('already exists'))).toBe(false);
  });
});

describe('vxlan with DirectRouting', () => {
  let vx: VxlanLab;
  const directRoute = async (v: VxlanLab, d: Daemon, peer: Daemon) =>
    (await kernelState(v.lab, d.host.ns)).routes.includes(`${subnetOf(peer)} via ${peer.host.ip} dev eth0`);

  beforeAll(async () => {
    vx = await startVxlanLab({
      hosts: 2,
      daemons: 2,
      config: '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan","DirectRouting":true}}',
      programmed: directRoute,
    });
  });

  afterAll(async () => {
    await vx?.destroy();
  });

  it('routes straight to a peer on the same segment, with no tunnel entries for it', async () => {
    const [d, peer] = [vx.daemons[0]!, vx.daemons[1]!];
    const state = await kernelState(vx.lab, d.host.ns);
    expect(state.routes.filter((l) => l.includes(DEV) && l.startsWith('10.244.'))).toEqual([]);
    expect(state.neighs).toEqual([]);
    expect(state.fdb.filter((l) => l.includes(peer.host.ip))).toEqual([]);
    expect(await pingAll(vx.lab, vx.pods)).toEqual([]);
    expect(await tcpEcho(vx.lab, vx.pods[0]!, vx.pods[1]!)).toBe('200000 True');
  });

  it('falls back to vxlan for a peer behind a gateway', async () => {
    const subnet = '10.244.250.0/24';
    const far = '203.0.113.20'; // reached via the lab's default gateway
    await vx.etcd.etcdctl(['put', leaseKey(subnet), `{"PublicIP":"${far}","PublicIPv6":null,"BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"0a:00:00:00:fa:14"}}`]);
    for (const d of vx.daemons) {
      const lines = peerLines(subnet, '0a:00:00:00:fa:14', far);
      await expect.poll(() => hasPeerLines(vx.lab, d.host.ns, lines), { timeout: 2_000 }).toBe(true);
      expect((await kernelState(vx.lab, d.host.ns)).routes.filter((l) => l.startsWith(`${subnet} via ${subnetIp(subnet)}`))).toHaveLength(1);
    }
    await vx.etcd.etcdctl(['del', leaseKey(subnet)]);
  });
});
