import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLab, pingOnce, tempDir, type Lab, type TempDir } from '@flannel-ts/testing';
import { assertPluginBuilt, expectSuccess, runCni, type CniCall } from './cni-harness.js';

// The real bridge + host-local delegates, run as a runtime runs the plugin: inside a lab "host"
// namespace, with two further lab namespaces as the containers.
const SUBNET_ENV = 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.7.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n';

let lab: Lab;
let hostNs: string;
let tmp: TempDir;
let subnetFile: string;
let dataDir: string;
let ipamDir: string;
let netName: string;
const containers: Array<{ id: string; ns: string; netns: string; ip?: string; result?: Record<string, unknown> }> = [];

const config = (overrides: object = {}) => ({
  cniVersion: '1.0.0',
  name: netName,
  type: 'flannel',
  subnetFile,
  dataDir,
  // host-local keeps its leases here instead of /var/lib/cni/networks.
  ipam: { dataDir: ipamDir },
  ...overrides,
});
const cni = (call: CniCall) => runCni(lab, hostNs, call);
const callFor = (c: (typeof containers)[number], command: CniCall['command'], overrides: object = {}): CniCall => ({
  command,
  containerId: c.id,
  netns: c.netns,
  config: config(overrides),
});
const withRouteGateway = (result: Record<string, unknown>, gw: string) => ({
  ...result,
  routes: (result['routes'] as Array<Record<string, unknown>>).map((route) => ({ gw, ...route })),
});
const ipv4Of = async (ns: string) => (await lab.exec(ns, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'])).stdout;

beforeAll(async () => {
  assertPluginBuilt();
  tmp = tempDir('cni-flannel-test');
  subnetFile = path.join(tmp.path, 'subnet.env');
  dataDir = path.join(tmp.path, 'flannel-state');
  ipamDir = path.join(tmp.path, 'host-local');
  writeFileSync(subnetFile, SUBNET_ENV);
  lab = await createLab({ hosts: 1 });
  hostNs = lab.hosts[0]!.ns;
  netName = `${lab.prefix}net`;
  for (const tag of ['c1', 'c2']) {
    const ns = `${lab.prefix}-${tag}`;
    await lab.addNamespace(ns);
    containers.push({ id: `${lab.prefix}-${tag}-id`, ns, netns: `/var/run/netns/${ns}` });
  }
});

afterAll(async () => {
  await lab?.destroy();
  await tmp?.remove();
});

describe('flannel CNI plugin with the real bridge and host-local', () => {
  test('VERSION', async () => {
    const reply = expectSuccess(await cni({ command: 'VERSION' }), 'VERSION');
    expect(reply.stdout.trim()).toBe('{"cniVersion":"1.0.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0"]}');
  });

  test('ADD gives each container an address in the subnet, and they reach each other', async () => {
    for (const c of containers) {
      const reply = expectSuccess(await cni(callFor(c, 'ADD')), `ADD ${c.id}`);
      const ips = reply.json?.['ips'] as Array<{ address: string; gateway: string }>;
      expect(ips).toHaveLength(1);
      expect(ips[0]!.address).toMatch(/^10\.244\.7\.\d+\/24$/);
      expect(ips[0]!.gateway).toBe('10.244.7.1');
      c.ip = ips[0]!.address.split('/')[0];
      c.result = reply.json;
      expect(await ipv4Of(c.ns)).toContain(`inet ${ips[0]!.address}`);
      // The flannel network is routed via the bridge; the link has flannel's MTU.
      expect((await lab.exec(c.ns, ['ip', '-4', 'route'])).stdout).toContain('10.244.0.0/16 via 10.244.7.1 dev eth0');
      expect((await lab.exec(c.ns, ['cat', '/sys/class/net/eth0/mtu'])).stdout.trim()).toBe('1450');
      const stored = readFileSync(path.join(dataDir, c.id), 'utf8');
      expect(JSON.parse(stored)).toMatchObject({ type: 'bridge', name: netName, ipMasq: true, isGateway: true, mtu: 1450 });
    }
    const [c1, c2] = containers as [(typeof containers)[0], (typeof containers)[0]];
    expect(c1.ip).not.toBe(c2.ip);
    expect(await pingOnce(lab, c1.ns, c2.ip!, { timeoutS: 2 })).toBe(true);
    expect(await pingOnce(lab, c2.ns, c1.ip!, { timeoutS: 2 })).toBe(true);
    // ipMasq (FLANNEL_IPMASQ=false): the bridge plugin masquerades, inside the lab host only.
    expect((await lab.exec(hostNs, ['iptables', '-t', 'nat', '-S', 'POSTROUTING'])).stdout).toContain('CNI-');
  });

  test('CHECK delegates with the stored config and prevResult (0.4.0 and later)', async () => {
    const c1 = containers[0]!;
    const ip = `${c1.ip}/24`;
    // The bridge plugin installs the ipam routes via the gateway, but Debian's bridge (1.1.1) then
    // looks for them without one (fixed upstream in containernetworking/plugins#887, v1.3.0), so
    // the prevResult names the gateway the kernel route really has.
    const prevResult = withRouteGateway(c1.result!, '10.244.7.1');
    expectSuccess(await cni(callFor(c1, 'CHECK', { prevResult })), 'CHECK');

    // The delegate really checks: without the address, bridge's CHECK fails and we say so.
    await lab.exec(c1.ns, ['ip', 'addr', 'del', ip, 'dev', 'eth0']);
    const broken = await cni(callFor(c1, 'CHECK', { prevResult }));
    expect(broken.exitCode).toBe(1);
    expect(broken.json?.['msg']).toContain('/usr/lib/cni/bridge CHECK: ');
    await lab.exec(c1.ns, ['ip', 'addr', 'add', ip, 'dev', 'eth0']);
    await lab.exec(c1.ns, ['ip', 'route', 'add', '10.244.0.0/16', 'via', '10.244.7.1', 'dev', 'eth0']);
    expectSuccess(await cni(callFor(c1, 'CHECK', { prevResult })), 'CHECK after restoring the address');
  });

  test('CHECK is refused below 0.4.0, without prevResult, and for an unknown container', async () => {
    const c1 = containers[0]!;
    const old = await cni(callFor(c1, 'CHECK', { cniVersion: '0.3.1', prevResult: {} }));
    expect([old.exitCode, old.json]).toEqual([1, { cniVersion: '0.3.1', code: 1, msg: 'config version does not allow CHECK', details: 'config is "0.3.1"' }]);
    const noPrev = await cni(callFor(c1, 'CHECK'));
    expect(noPrev.json).toMatchObject({ code: 7, msg: expect.stringContaining('prevResult') });
    const unknown = await cni({ ...callFor(c1, 'CHECK', { prevResult: {} }), containerId: 'never-added' });
    expect(unknown.json).toMatchObject({ code: 101, msg: expect.stringContaining('never-added') });
  });

  test('DEL undoes ADD from the stored config, even after the subnet file changed or went away', async () => {
    const [c1, c2] = containers as [(typeof containers)[0], (typeof containers)[0]];
    writeFileSync(subnetFile, 'FLANNEL_NETWORK=10.99.0.0/16\nFLANNEL_SUBNET=10.99.3.1/24\nFLANNEL_MTU=1400\nFLANNEL_IPMASQ=true\n');
    expectSuccess(await cni(callFor(c1, 'DEL')), 'DEL c1');
    rmSync(subnetFile);
    // DEL may come without a netns (the runtime lost it): the delegate still releases the address.
    expectSuccess(await cni({ ...callFor(c2, 'DEL'), netns: undefined }), 'DEL c2 without CNI_NETNS');
    expectSuccess(await cni(callFor(c2, 'DEL')), 'DEL c2 again');

    expect((await lab.exec(c1.ns, ['ip', 'link', 'show', 'eth0'])).exitCode).not.toBe(0);
    for (const c of containers) {
      expect(existsSync(path.join(dataDir, c.id))).toBe(false);
      expect(existsSync(path.join(ipamDir, netName, c.ip!))).toBe(false);
    }
    // c2 kept its link (no netns on the first DEL), but host-local forgot its address.
    writeFileSync(subnetFile, SUBNET_ENV);
  });

  test('DEL of a container never added succeeds and does nothing', async () => {
    const reply = expectSuccess(await cni({ command: 'DEL', containerId: 'unknown-container', config: config() }), 'DEL unknown');
    expect(reply.stdout).toBe('');
  });

  test('a failing delegate\'s error is passed on, and ADD stored its config before running it', async () => {
    const id = 'bad-netns';
    const reply = await cni({ command: 'ADD', containerId: id, netns: '/var/run/netns/does-not-exist', config: config() });
    expect(reply.exitCode).toBe(1);
    expect(reply.json).toMatchObject({ cniVersion: '1.0.0', msg: expect.stringContaining('/usr/lib/cni/bridge ADD: ') });
    expect(reply.json?.['msg']).toContain('does-not-exist');
    expect(existsSync(path.join(dataDir, id))).toBe(true);
    expectSuccess(await cni({ command: 'DEL', containerId: id, netns: '/var/run/netns/does-not-exist', config: config() }), 'DEL');
    expect(existsSync(path.join(dataDir, id))).toBe(false);
  });
});
