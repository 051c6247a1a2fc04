import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPod, createLab, pingAll, pingOnce, pingReplies, removePod, startPing, waitFor, type Lab, type LabHost, type Pod } from '../src/index.js';
import { listNetns } from '../src/lab/netns.js';

const labNamespaces = async (prefix: string): Promise<string[]> =>
  (await listNetns()).filter((ns) => ns.startsWith(`${prefix}-`));

/** Output of an ip command in a lab namespace, failing the test on a non-zero exit. */
async function ip(lab: Lab, ns: string, ...args: string[]): Promise<string> {
  const result = await lab.exec(ns, ['ip', ...args]);
  expect(result.exitCode, `ip ${args.join(' ')} in ${ns}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

// A stand-in for a datapath backend: plain routes to the other host's pod subnet.
describe('pods on a two-host lab with routes set by hand', () => {
  let lab: Lab;
  let h1: LabHost;
  let h2: LabHost;
  let p1: Pod;
  let p2: Pod;
  beforeAll(async () => {
    lab = await createLab({ hosts: 2 });
    [h1, h2] = lab.hosts as [LabHost, LabHost];
    [p1, p2] = await Promise.all([
      addPod(lab, h1, { subnet: '10.244.1.1/24', mtu: 1450 }),
      addPod(lab, h2, { subnet: '10.244.2.1/24', mtu: 1450 }),
    ]);
    await ip(lab, h1.ns, 'route', 'add', '10.244.2.0/24', 'via', h2.ip);
    await ip(lab, h2.ns, 'route', 'add', '10.244.1.0/24', 'via', h1.ip);
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('wires each pod to its host bridge as FLANNEL_SUBNET and FLANNEL_MTU say', async () => {
    expect(p1).toEqual({
      name: 'p1',
      tag: '',
      ns: `${lab.prefix}-p1`,
      host: h1,
      ip: '10.244.1.2',
      gateway: '10.244.1.1',
      subnet: '10.244.1.0/24',
      mtu: 1450,
    });
    expect(lab.namespaces).toEqual(expect.arrayContaining([p1.ns, p2.ns]));

    expect(await ip(lab, h1.ns, '-o', '-4', 'addr', 'show', 'dev', 'fbr0')).toMatch(/inet 10\.244\.1\.1\/24 /);
    expect(await ip(lab, h1.ns, '-o', 'link', 'show', 'dev', 'fbr0')).toMatch(/mtu 1450 .*state UP/);
    expect(await ip(lab, h1.ns, '-o', 'link', 'show', 'dev', 'vp1')).toMatch(/mtu 1450 .*master fbr0 state UP/);
    expect(await ip(lab, p1.ns, '-o', 'link', 'show', 'dev', 'eth0')).toMatch(/mtu 1450 .*state UP/);
    expect(await ip(lab, p1.ns, '-o', '-4', 'addr', 'show', 'dev', 'eth0')).toMatch(/inet 10\.244\.1\.2\/24 /);
    expect(await ip(lab, p1.ns, 'route', 'show', 'default')).toContain('default via 10.244.1.1 dev eth0');
  });

  it('lets the pods ping each other, and a DF ping only up to the pod MTU', async () => {
    expect(await pingAll(lab, [p1, p2])).toEqual([]);
    expect(await pingOnce(lab, p1.ns, p2.ip, { size: 1450 - 28, dontFragment: true })).toBe(true);
    expect(await pingOnce(lab, p1.ns, p2.ip, { size: 1450 - 27, dontFragment: true, timeoutS: 0.3 })).toBe(false);
    expect(await pingOnce(lab, p1.ns, p2.ip, { size: 1450 - 27 })).toBe(true); // fragmented
    expect(await pingAll(lab, [p1, { ...p2, ip: '10.244.9.2' }], { timeoutS: 0.3 })).toEqual(['p1 -> 10.244.9.2']);
  });

  it('measures a steady ping: replies, no loss, a gap between replies', async () => {
    const ping = startPing(lab, p1.ns, p2.ip);
    await waitFor(() => pingReplies(ping.outputFile) >= 20, { what: '20 replies' });
    const stats = await ping.stop();
    expect(stats.received).toBeGreaterThanOrEqual(20);
    expect(stats.lossPercent).toBe(0);
    expect(stats.maxGapMs).toBeGreaterThan(0);
    expect(stats.rttAvgMs).toBeGreaterThan(0);
  });

  it('shows the loss and the gap when the route goes away mid-ping', async () => {
    const ping = startPing(lab, p1.ns, p2.ip);
    await waitFor(() => pingReplies(ping.outputFile) >= 10, { what: '10 replies' });
    await ip(lab, h1.ns, 'route', 'del', '10.244.2.0/24');
    // An outage of at least 300 ms (longer on a busy machine, which only widens the gap).
    await delay(300);
    await ip(lab, h1.ns, 'route', 'add', '10.244.2.0/24', 'via', h2.ip);
    const before = pingReplies(ping.outputFile);
    await waitFor(() => pingReplies(ping.outputFile) >= before + 10, { what: '10 replies after the outage' });
    const stats = await ping.stop();
    expect(stats.received).toBeGreaterThanOrEqual(20);
    expect(stats.lossPercent).toBeGreaterThan(0);
    expect(stats.maxGapMs).toBeGreaterThanOrEqual(280);
  });

  it('replaces the bridge address and the pod when the host gets a new subnet', async () => {
    const moved = await addPod(lab, h1, { subnet: '10.244.5.1/24', mtu: 1400 });
    expect(moved).toMatchObject({ ns: p1.ns, ip: '10.244.5.2', gateway: '10.244.5.1', mtu: 1400 });
    const bridgeAddresses = await ip(lab, h1.ns, '-o', '-4', 'addr', 'show', 'dev', 'fbr0');
    expect(bridgeAddresses.trim().split('\n')).toHaveLength(1);
    expect(bridgeAddresses).toMatch(/inet 10\.244\.5\.1\/24 /);
    expect(await ip(lab, moved.ns, '-o', '-4', 'addr', 'show', 'dev', 'eth0')).toMatch(/inet 10\.244\.5\.2\/24 .*\n?$/);
    expect(await ip(lab, moved.ns, '-o', 'link', 'show', 'dev', 'eth0')).toMatch(/mtu 1400 /);

    await ip(lab, h2.ns, 'route', 'replace', '10.244.5.0/24', 'via', h1.ip);
    expect(await pingAll(lab, [moved, p2])).toEqual([]);
    p1 = moved;
  });

  it('removePod undoes addPod: pod namespace, veth and bridge go, exec refuses the pod', async () => {
    await removePod(lab, p2);
    expect(await labNamespaces(lab.prefix)).not.toContain(p2.ns);
    expect(lab.namespaces).not.toContain(p2.ns);
    expect((await lab.exec(h2.ns, ['ip', 'link', 'show', 'dev', 'fbr0'])).exitCode).not.toBe(0);
    expect((await lab.exec(h2.ns, ['ip', 'link', 'show', 'dev', 'vp2'])).exitCode).not.toBe(0);
    expect(() => lab.exec(p2.ns, ['true'])).toThrow(/refusing to run true in namespace/);

    p2 = await addPod(lab, h2, { subnet: '10.244.2.1/24', mtu: 1450 });
    expect(await pingAll(lab, [p1, p2])).toEqual([]);
  });

  it('destroy deletes the pod namespaces with the rest', async () => {
    const sleeper = lab.spawn(p1.ns, ['sleep', '30']);
    await lab.destroy();
    expect(sleeper.hasExited()).toBe(true);
    expect(await labNamespaces(lab.prefix)).toEqual([]);
  });
});

describe('addPod refusals', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await createLab({ hosts: 1 });
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('names the bad subnet, MTU or host and creates nothing', async () => {
    const host = lab.hosts[0]!;
    await expect(addPod(lab, host, { subnet: '10.244.1.1', mtu: 1500 })).rejects.toThrow('pod subnet "10.244.1.1" is not an IPv4 CIDR');
    await expect(addPod(lab, host, { subnet: '10.244.1.1/24', mtu: 20 })).rejects.toThrow(
      'addPod mtu must be an integer from 68 to 65535, got 20',
    );
    await expect(addPod(lab, { ...host, ns: 'ftother-h1' }, { subnet: '10.244.1.1/24', mtu: 1500 })).rejects.toThrow(
      `host h1 (ftother-h1) is not one of lab ${lab.prefix}'s hosts`,
    );
    expect((await labNamespaces(lab.prefix)).sort()).toEqual([...lab.namespaces].sort());
    expect(lab.namespaces).toHaveLength(2);
  });

  it('addNamespace only takes names under the lab prefix', async () => {
    await expect(lab.addNamespace('ftother-p1')).rejects.toThrow(/cannot add namespace "ftother-p1"/);
    await expect(lab.addNamespace(lab.hosts[0]!.ns)).rejects.toThrow(`lab ${lab.prefix} already has namespace ${lab.hosts[0]!.ns}`);
    await expect(lab.removeNamespace(lab.switchNs)).rejects.toThrow(/refusing to remove .*switch\/host namespaces/);
  });
});
