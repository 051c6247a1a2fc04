import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LinkInfo, NeighInfo } from '../src/index.js';
import { bridgeJson, ipBatch, ipJson, NetnsRunner, startVethNamespace, type VethNamespace } from './helpers.js';

interface IpVxlanLink {
  ifindex: number;
  mtu: number;
  address: string;
  linkinfo: { info_kind: string; info_data: { id: number; local?: string; link?: string; port: number; learning: boolean; gbp?: boolean } };
}

describe('vxlan links, neighbours and fdb entries', () => {
  let ns: string;
  let runner: NetnsRunner;
  let veth0: number;
  let vxlan: LinkInfo;

  let fixture: VethNamespace | undefined;

  /** `ip -4 -j neigh show` or `bridge -j fdb show`, of one link or all, in our terms. */
  async function shownNeighs(family: 'inet' | 'bridge', index?: number): Promise<Pick<NeighInfo, 'index' | 'ip' | 'mac'>[]> {
    const links = await ipJson<{ ifindex: number; ifname: string }[]>(ns, ['link']);
    const dev = index === undefined ? [] : ['dev', links.find((link) => link.ifindex === index)!.ifname];
    const indexOf = (name: string | undefined) => (name === undefined ? index! : links.find((link) => link.ifname === name)!.ifindex);
    if (family === 'inet') {
      const shown = await ipJson<{ dst: string; dev?: string; lladdr?: string }[]>(ns, ['-4', 'neigh', 'show', ...dev]);
      return shown.map((n) => ({ index: indexOf(n.dev), ip: n.dst, mac: n.lladdr }));
    }
    const shown = await bridgeJson<{ mac: string; dst?: string; ifname?: string }[]>(ns, ['fdb', 'show', ...dev]);
    return shown.map((n) => ({ index: indexOf(n.ifname), ip: n.dst, mac: n.mac }));
  }
  const byLinkAndIp = (a: Partial<NeighInfo>, b: Partial<NeighInfo>): number =>
    a.index! - b.index! || `${a.ip} ${a.mac}`.localeCompare(`${b.ip} ${b.mac}`);

  beforeAll(async () => {
    fixture = await startVethNamespace();
    ({ ns, runner, veth0 } = fixture);
  });

  afterAll(async () => {
    await fixture?.dispose();
  });

  test('createVxlan makes the device flannel makes, as `ip -d link` shows it', async () => {
    vxlan = await runner.call<LinkInfo>('createVxlan', {
      name: 'flannel.1', vni: 1, local: '192.0.2.1', vtepIndex: veth0, port: 8472, learning: false, gbp: false, mac: '0a:58:0a:f4:03:00', mtu: 1450,
    });
    expect(vxlan).toMatchObject({
      name: 'flannel.1', kind: 'vxlan', mtu: 1450, up: false, mac: '0a:58:0a:f4:03:00',
      vxlan: { vni: 1, local: '192.0.2.1', port: 8472, learning: false, gbp: false, vtepIndex: veth0 },
    });
    const [shown] = await ipJson<IpVxlanLink[]>(ns, ['-d', 'link', 'show', 'flannel.1']);
    expect(shown).toMatchObject({ ifindex: vxlan.index, mtu: 1450, address: '0a:58:0a:f4:03:00' });
    expect(shown?.linkinfo.info_data).toMatchObject({ id: 1, local: '192.0.2.1', link: 'veth0', port: 8472, learning: false });
    expect(shown?.linkinfo.info_data.gbp).toBeUndefined();
    await runner.call('setLinkUp', vxlan.index);
  });

  test('kernel defaults: port 8472, a random MAC; gbp and learning when asked', async () => {
    const other = await runner.call<LinkInfo>('createVxlan', { name: 'vx2', vni: 4096, gbp: true, learning: true });
    expect(other.vxlan).toEqual({ vni: 4096, port: 8472, learning: true, gbp: true });
    expect(other.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    const [shown] = await ipJson<IpVxlanLink[]>(ns, ['-d', 'link', 'show', 'vx2']);
    expect(shown?.linkinfo.info_data).toMatchObject({ id: 4096, port: 8472, learning: true, gbp: true });
    expect(await runner.call<LinkInfo[]>('listLinks')).toContainEqual(other);
    await runner.call('deleteLink', other.index);
  });

  test('a taken name fails with EEXIST, naming the link', async () => {
    expect(await runner.failure('createVxlan', { name: 'flannel.1', vni: 1 })).toMatchObject({
      code: 'EEXIST', syscall: 'netlink', message: expect.stringMatching(/^creating vxlan link flannel\.1 \(vni 1\): File exists\b/),
    });
  });

  test('ARP entries: replace, replace again, list, delete', async () => {
    await runner.call('replaceNeigh', { index: vxlan.index, family: 'inet', ip: '10.244.3.0', mac: '0a:58:0a:f4:03:01' });
    await runner.call('replaceNeigh', { index: vxlan.index, family: 'inet', ip: '10.244.3.0', mac: '0a:58:0a:f4:03:02' });
    expect(await ipJson(ns, ['neigh', 'show', 'dev', 'flannel.1'])).toEqual([
      { dst: '10.244.3.0', lladdr: '0a:58:0a:f4:03:02', state: ['PERMANENT'] },
    ]);
    expect(await runner.call<NeighInfo[]>('listNeighs', 'inet', vxlan.index)).toEqual([
      { index: vxlan.index, family: 'inet', ip: '10.244.3.0', mac: '0a:58:0a:f4:03:02', state: 0x80, flags: 0 },
    ]);
    await runner.call('deleteNeigh', { index: vxlan.index, family: 'inet', ip: '10.244.3.0' });
    expect(await ipJson(ns, ['neigh', 'show', 'dev', 'flannel.1'])).toEqual([]);
    expect(await runner.failure('deleteNeigh', { index: vxlan.index, family: 'inet', ip: '10.244.3.0' })).toMatchObject({
      code: 'ENOENT', message: expect.stringMatching(/^deleting neighbour 10\.244\.3\.0 dev flannel\.1: No such file or directory\b/),
    });
  });

  test('eachNeigh lists what `ip -j neigh` and `bridge -j fdb` show, over three pages, for one link or all', async () => {
    const other = await runner.call<LinkInfo>('createVxlan', { name: 'vx3', vni: 3, learning: false });
    // Over three pages of the addon's 256 on flannel.1, and some on vx3 the index filter leaves out.
    const commands: string[] = [];
    for (let i = 0; i < 800; i++) {
      const dev = i % 8 === 0 ? 'vx3' : 'flannel.1';
      const mac = `0a:58:0a:f5:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      commands.push(`neigh replace 10.245.${i >> 8}.${i & 255} lladdr ${mac} dev ${dev} nud permanent`);
    }
    await ipBatch(ns, commands);
    const fdbEntry = { index: vxlan.index, family: 'bridge', mac: '0a:58:0a:f5:00:01', ip: '192.0.2.12' };
    await runner.call('replaceNeigh', fdbEntry);
    await runner.call('replaceNeigh', { index: other.index, family: 'bridge', mac: '0a:58:0a:f5:00:02', ip: '192.0.2.13' });
    for (const [family, index] of [['inet', vxlan.index], ['inet', other.index], ['inet', undefined], ['bridge', vxlan.index]] as const) {
      const args = index === undefined ? [family] : [family, index]; // JSON has no undefined
      const listed = (await runner.call<NeighInfo[]>('eachNeigh', ...args)).map(({ index: i, ip, mac }) => ({ index: i, ip, mac })).sort(byLinkAndIp);
      expect(listed.length).toBeGreaterThan(0);
      expect(listed).toEqual((await shownNeighs(family, index)).sort(byLinkAndIp));
    }
    expect(await runner.call<NeighInfo[]>('listNeighs', 'inet', vxlan.index)).toHaveLength(700);
    expect(await runner.failure('eachNeigh', 'inet6')).toMatchObject({ name: 'TypeError', message: expect.stringMatching(/^netlink: neighbour family must be 'inet' or 'bridge'/) });
    expect(await runner.failure('eachNeigh', 'inet', 0)).toMatchObject({ name: 'TypeError', message: expect.stringMatching(/^netlink: link index must be a link index/) });
    await runner.call('deleteLink', other.index);
    await ipBatch(ns, commands.filter((command) => command.endsWith('dev flannel.1 nud permanent')).map((command) => command.replace(/^neigh replace (\S+) .*$/, 'neigh del $1 dev flannel.1')));
    await runner.call('deleteNeigh', fdbEntry);
    expect(await ipJson(ns, ['neigh', 'show', 'dev', 'flannel.1'])).toEqual([]);
  });

  test('fdb entries to a remote VTEP: replace, list, delete', async () => {
    await runner.call('replaceNeigh', { index: vxlan.index, family: 'bridge', mac: '0a:58:0a:f4:03:01', ip: '192.0.2.12' });
    expect(await bridgeJson(ns, ['fdb', 'show', 'dev', 'flannel.1'])).toEqual([
      expect.objectContaining({ mac: '0a:58:0a:f4:03:01', dst: '192.0.2.12', flags: ['self'], state: 'permanent' }),
    ]);
    expect(await runner.call<NeighInfo[]>('listNeighs', 'bridge', vxlan.index)).toEqual([
      { index: vxlan.index, family: 'bridge', ip: '192.0.2.12', mac: '0a:58:0a:f4:03:01', state: 0x80, flags: 0x02 },
    ]);
    // Replacing moves the MAC to another VTEP.
    await runner.call('replaceNeigh', { index: vxlan.index, family: 'bridge', mac: '0a:58:0a:f4:03:01', ip: '192.0.2.13' });
    expect(await bridgeJson(ns, ['fdb', 'show', 'dev', 'flannel.1'])).toEqual([
      expect.objectContaining({ mac: '0a:58:0a:f4:03:01', dst: '192.0.2.13' }),
    ]);
    await runner.call('deleteNeigh', { index: vxlan.index, family: 'bridge', mac: '0a:58:0a:f4:03:01', ip: '192.0.2.13' });
    expect(await bridgeJson(ns, ['fdb', 'show', 'dev', 'flannel.1'])).toEqual([]);
  });

  test('replaceInOrder: a peer\'s ARP entry, fdb entry and route in one batch, each failure in its place', async () => {
    const mac = '0a:58:0a:f4:07:01';
    const results = await runner.call<(object | null)[]>('replaceInOrder', [
      { neigh: { index: vxlan.index, family: 'inet', ip: '10.244.7.0', mac } },
      { neigh: { index: vxlan.index, family: 'bridge', mac, ip: '192.0.2.12' } },
      { route: { dst: '10.244.7.0/24', gateway: '10.244.7.0', oif: vxlan.index, onlink: true } },
      { route: { dst: '10.244.8.0/24', gateway: '10.244.8.0', oif: vxlan.index } }, // not on-link without onlink: refused
      { neigh: { index: vxlan.index, family: 'inet', ip: '10.244.9.0', mac: '0a:58:0a:f4:09:01' } },
    ]);
    expect(results).toEqual([null, null, null, expect.objectContaining({ code: 'ENETUNREACH' }), null]);
    expect((results[3] as { message: string }).message).toMatch(/^replacing route 10\.244\.8\.0\/24 via 10\.244\.8\.0 dev flannel\.1: /);
    const neighs = await ipJson<{ dst: string }[]>(ns, ['neigh', 'show', 'dev', 'flannel.1']);
    expect(neighs.sort((a, b) => a.dst.localeCompare(b.dst))).toEqual([
      { dst: '10.244.7.0', lladdr: mac, state: ['PERMANENT'] },
      { dst: '10.244.9.0', lladdr: '0a:58:0a:f4:09:01', state: ['PERMANENT'] },
    ]);
    expect(await bridgeJson(ns, ['fdb', 'show', 'dev', 'flannel.1'])).toEqual([expect.objectContaining({ mac, dst: '192.0.2.12' })]);
    expect(await ipJson(ns, ['-4', 'route', 'show', 'dev', 'flannel.1'])).toEqual([
      expect.objectContaining({ dst: '10.244.7.0/24', gateway: '10.244.7.0', flags: ['onlink'] }),
    ]);
    const refused = await runner.failure('replaceInOrder', [
      { neigh: { index: vxlan.index, family: 'inet', ip: '10.244.10.0', mac } },
      { neigh: { index: vxlan.index, family: 'inet', ip: '10.244.11.0', mac: 'not a mac' } },
    ]);
    expect(refused).toMatchObject({ name: 'TypeError', message: expect.stringContaining('neighbour mac') });
    expect(await ipJson(ns, ['neigh', 'show', '10.244.10.0', 'dev', 'flannel.1'])).toEqual([]);
    for (const ip of ['10.244.7.0', '10.244.9.0']) await runner.call('deleteNeigh', { index: vxlan.index, family: 'inet', ip });
    await runner.call('deleteNeigh', { index: vxlan.index, family: 'bridge', mac, ip: '192.0.2.12' });
    await runner.call('deleteRoute', { dst: '10.244.7.0/24', oif: vxlan.index });
  });

  test('wrong calls fail before the kernel', async () => {
    expect(await runner.failure('replaceNeigh', { index: vxlan.index, family: 'inet', mac: '0a:58:0a:f4:03:01' })).toMatchObject({
      name: 'TypeError', message: expect.stringContaining('needs an ip'),
    });
    expect(await runner.failure('replaceNeigh', { index: vxlan.index, family: 'inet', ip: '10.244.3.0', mac: '0a:58:0a:f4:03' })).toMatchObject({
      name: 'TypeError', message: expect.stringContaining('neighbour mac'),
    });
    expect(await runner.failure('createVxlan', { name: 'vx3', vni: 1 << 24 })).toMatchObject({ name: 'TypeError', message: expect.stringContaining('vni') });
  });
});
