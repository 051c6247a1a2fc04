import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPod, parseMetricsText, pidExists, pingAll, pingOnce, pingReplies, startIpMonitor, startPing, waitFor, type IpMonitorEvent, type Pod } from '@flannel-ts/testing';
import { captureOnSwitch, readVxlanPcap } from './vxlan-capture.js';
import { tcpEcho } from './tcp-echo.js';
import {
  backendPid,
  DEV,
  type Daemon,
  envValue,
  hasPeerLines,
  kernelState,
  leaseKey,
  leaseValue,
  peerLines,
  programmedFor,
  startVxlanLab,
  subnetIp,
  subnetOf,
  vtepMacOf,
  type VxlanLab,
} from './vxlan-lab.js';

const CONFIG = '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}';
const HEALTH_PORT = 9102;

let vx: VxlanLab;
/** Reconcile passes the kernel's deletion events started (logged at debug when they changed nothing). */
const triggeredPasses = (d: Daemon) => d.messages().filter((m) => m.startsWith('Reconciled') && m.includes('(triggered)')).length;
const IP4 = /^\d+\.\d+\.\d+\.\d+$/;
/** The daemon's own directories under its --state-dir (flanneld's code cache lies beside them). */
const daemonStateDirs = (d: Daemon) =>
  readdirSync(path.join(d.dir, 'state'))
    .filter((name) => name !== 'code-cache')
    .map((name) => path.join(d.dir, 'state', name));
/** Changes of what the backend programs: routes into the network, IPv4 neighbours and fdb entries of flannel.1. */
const ourChanges = (events: IpMonitorEvent[]) =>
  events.filter((e) => (e.kind === 'route' && e.dst?.startsWith('10.244.')) || (e.kind === 'neigh' && e.dev === DEV && IP4.test(e.dst ?? '')));

beforeAll(async () => {
  // h4 stays free of flanneld: the wire-compatibility test builds a Go-style peer there by hand.
  vx = await startVxlanLab({ hosts: 4, daemons: 3, config: CONFIG, args: ['-v=1', `--healthz-port=${HEALTH_PORT}`] });
});

afterAll(async () => {
  await vx?.destroy();
});

describe('vxlan on 3 hosts', () => {
  it('leases like Go flanneld and builds flannel.1 as it does', async () => {
    const d = vx.daemons[0]!;
    expect(envValue(d.env(), 'FLANNEL_MTU')).toBe('1450');
    const value = await leaseValue(vx, d);
    expect(value).toMatch(/^\{"PublicIP":"192\.0\.2\.11","PublicIPv6":null,"BackendType":"vxlan","BackendData":\{"VNI":1,"VtepMAC":"[0-9a-f]{2}(:[0-9a-f]{2}){5}"\}\}$/);
    const mac = await vtepMacOf(vx, d);
    expect(Number.parseInt(mac.slice(0, 2), 16) & 0x03).toBe(0x02); // unicast, locally administered
    // The daemon's state directory (one subdirectory per daemon) keeps it for the next device.
    expect(daemonStateDirs(d).map((s) => readFileSync(path.join(s, 'vtep-mac.1'), 'utf8'))).toEqual([`${mac}\n`]);
    const link = (await vx.lab.exec(d.host.ns, ['ip', '-d', 'link', 'show', DEV])).stdout;
    expect(link).toContain(`link/ether ${mac} `);
    expect(link).toMatch(/mtu 1450 .*state UNKNOWN/);
    expect(link).toMatch(/vxlan id 1 local 192\.0\.2\.11 dev eth0 .*dstport 8472 nolearning/);
    const addrs = (await vx.lab.exec(d.host.ns, ['ip', '-4', '-o', 'addr', 'show', 'dev', DEV])).stdout.trim().split('\n');
    expect(addrs).toHaveLength(1);
    expect(addrs[0]).toContain(`inet ${subnetIp(subnetOf(d))}/32 `);
  });

  it('lets every pod reach every other pod, with ping and TCP', async () => {
    expect(await pingAll(vx.lab, vx.pods)).toEqual([]);
    const pairs = vx.pods.flatMap((from, i) => vx.pods.filter((to) => to !== from).map((to, j) => ({ from, to, port: 7100 + i * 10 + j })));
    const results = await Promise.all(pairs.map(({ from, to, port }) => tcpEcho(vx.lab, from, to, { port })));
    expect(results).toEqual(pairs.map(() => '200000 True'));
  });

  it('carries a full-size DF packet (FLANNEL_MTU - 28 bytes of ICMP payload) between pods', async () => {
    const [a, b] = [vx.pods[0]!, vx.pods[1]!];
    expect(await pingOnce(vx.lab, a.ns, b.ip, { size: 1450 - 28, dontFragment: true })).toBe(true);
    expect(await pingOnce(vx.lab, b.ns, a.ip, { size: 1450 - 28, dontFragment: true })).toBe(true);
  });

  for (const what of ['SIGTERM of flanneld', 'SIGKILL of flanneld', 'a crash of the backend alone'] as const) {
    it(`keeps traffic flowing with zero loss through ${what}, with no churn of routes, neighbours or fdb entries`, async () => {
      const d = vx.daemons[0]!;
      const [subnet, value] = [subnetOf(d), await leaseValue(vx, d)];
      // Without -4: iproute2 prints fdb (AF_BRIDGE) changes only then.
      const monitors = await Promise.all(vx.daemons.map((x) => startIpMonitor(vx.lab, x.host.ns, ['route', 'neigh'], { ipv6: true })));
      const ping = startPing(vx.lab, vx.pods[1]!.ns, vx.pods[0]!.ip, { intervalMs: 10 });
      await waitFor(() => pingReplies(ping.outputFile) >= 20, { what: 'ping to run' });
      const snapshotPasses = () => d.messages().filter((m) => m.startsWith('Reconciled') && m.includes('(snapshot)')).length;
      const passes = snapshotPasses();
      if (what === 'a crash of the backend alone') {
        const pid = backendPid(d);
        expect(pid).toBeGreaterThan(0);
        process.kill(pid, 'SIGKILL');
      } else if (what === 'SIGTERM of flanneld') {
        expect((await d.proc.stop()).code).toBe(0);
        d.restart();
      } else {
        const orphan = backendPid(d);
        d.proc.kill('SIGKILL');
        await d.proc.exited;
        await waitFor(() => !pidExists(orphan), { what: `backend ${orphan} to exit with its parent` });
        d.restart();
      }
      // The backend logs its first pass after each peer snapshot.
      await waitFor(() => snapshotPasses() > passes, { what: 'the new backend to reconcile' });
      const after = pingReplies(ping.outputFile);
      await waitFor(() => pingReplies(ping.outputFile) >= after + 50, { what: '50 more ping replies' });
      const stats = await ping.stop();
      expect(stats.received).toBeGreaterThan(50);
      expect(stats.lossPercent).toBe(0);
      expect(subnetOf(d)).toBe(subnet);
      expect(await leaseValue(vx, d)).toBe(value);
      for (const m of monitors) {
        expect(ourChanges(m.events()).map((e) => e.raw)).toEqual([]);
        await m.stop();
      }
    });
  }

  it('recreates flannel.1 deleted while flanneld was stopped, with the same VTEP MAC', async () => {
    const d = vx.daemons[0]!;
    const [mac, value] = [await vtepMacOf(vx, d), await leaseValue(vx, d)];
    expect((await d.proc.stop()).code).toBe(0);
    expect((await vx.lab.exec(d.host.ns, ['ip', 'link', 'del', DEV])).exitCode).toBe(0);
    d.restart();
    await waitFor(async () => (await vx.lab.exec(d.host.ns, ['ip', 'link', 'show', DEV])).stdout.includes(`link/ether ${mac} `), {
      what: `${DEV} to come back with MAC ${mac}`,
    });
    expect(await leaseValue(vx, d)).toBe(value);
    for (const peer of vx.daemons.slice(1)) {
      await waitFor(() => programmedFor(vx, d, peer), { what: `h1 to be programmed for ${peer.host.name} again` });
    }
    expect(await pingAll(vx.lab, vx.pods)).toEqual([]);
  });

  it('recreates flannel.1 deleted while flanneld runs, with the same VTEP MAC, address and entries', async () => {
    const d = vx.daemons[0]!;
    const mac = await vtepMacOf(vx, d);
    const triggered = triggeredPasses(d);
    expect((await vx.lab.exec(d.host.ns, ['ip', 'link', 'del', DEV])).exitCode).toBe(0);
    for (const peer of vx.daemons.slice(1)) {
      await waitFor(() => programmedFor(vx, d, peer), { what: `h1 to be programmed for ${peer.host.name} again` });
    }
    const link = (await vx.lab.exec(d.host.ns, ['ip', '-d', 'link', 'show', DEV])).stdout;
    expect(link).toContain(`link/ether ${mac} `);
    expect(link).toMatch(/mtu 1450 .*state UNKNOWN/);
    expect((await vx.lab.exec(d.host.ns, ['ip', '-4', '-o', 'addr', 'show', 'dev', DEV])).stdout).toContain(`inet ${subnetIp(subnetOf(d))}/32 `);
    expect(await pingAll(vx.lab, vx.pods)).toEqual([]);
    // The kernel reports the flushed neighbours, which triggers a repair pass without waiting for the period.
    await waitFor(() => triggeredPasses(d) > triggered, { what: 'a pass triggered by the deletion' });
  });

  it('programs a peer lease put in etcd and removes its route, neighbour and fdb entry when it is deleted', async () => {
    const subnet = '10.244.250.0/24';
    const lines = peerLines(subnet, '0a:00:00:00:fa:01', '192.0.2.13');
    const others = [vx.daemons[0]!, vx.daemons[1]!];
    await vx.etcd.etcdctl(['put', leaseKey(subnet), '{"PublicIP":"192.0.2.13","PublicIPv6":null,"BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"0a:00:00:00:fa:01"}}']);
    for (const d of others) await waitFor(() => hasPeerLines(vx.lab, d.host.ns, lines), { what: `${d.host.name} to program ${subnet}` });
    await vx.etcd.etcdctl(['del', leaseKey(subnet)]);
    for (const d of others) {
      await waitFor(
        async () => {
          const s = await kernelState(vx.lab, d.host.ns);
          return !s.routes.some((l) => l.startsWith('10.244.250.0/24')) && !s.neighs.some((l) => l.startsWith('10.244.250.0 ')) && !s.fdb.some((l) => l.startsWith('0a:00:00:00:fa:01'));
        },
        { what: `${d.host.name} to drop ${subnet}` },
      );
    }
  });

  it('ignores leases of other backend types', async () => {
    const subnet = '10.244.251.0/24';
    await vx.etcd.etcdctl(['put', leaseKey(subnet), '{"PublicIP":"192.0.2.13","PublicIPv6":null,"BackendType":"host-gw"}']);
    const d = vx.daemons[0]!;
    await waitFor(() => d.messages().some((m) => m === `Ignoring non-vxlan subnet: type=host-gw (${subnet})`), { what: 'the ignore log line' });
    expect((await kernelState(vx.lab, d.host.ns)).routes.filter((l) => l.startsWith('10.244.251.'))).toEqual([]);
    await vx.etcd.etcdctl(['del', leaseKey(subnet)]);
  });

  it('restores a route, a neighbour and an fdb entry deleted by hand, in a pass the deletion triggers', async () => {
    const [d, peer] = [vx.daemons[0]!, vx.daemons[1]!];
    const ns = d.host.ns;
    const subnet = subnetOf(peer);
    const mac = await vtepMacOf(vx, peer);
    const deletions = [
      ['ip', 'route', 'del', subnet, 'dev', DEV],
      ['ip', 'neigh', 'del', subnetIp(subnet), 'dev', DEV],
      ['bridge', 'fdb', 'del', mac, 'dev', DEV, 'dst', peer.host.ip, 'self'],
    ];
    const repairs = async (kind: string) => {
      const r = await vx.lab.exec(ns, ['curl', '-sf', `http://${d.host.ip}:${HEALTH_PORT}/metrics`]);
      return parseMetricsText(r.stdout).value('flannel_backend_kernel_repairs_total', { backend: 'vxlan', kind });
    };
    // An earlier test's device recreation counted repairs already: only more than before count.
    const kinds = ['route', 'neighbour', 'fdb'];
    const repairsBefore = new Map<string, number>();
    for (const kind of kinds) repairsBefore.set(kind, (await repairs(kind)) ?? 0);
    for (const cmd of deletions) {
      const triggered = triggeredPasses(d);
      expect((await vx.lab.exec(ns, cmd)).stderr).toBe('');
      await waitFor(() => programmedFor(vx, d, peer), { what: `${cmd.slice(0, 2).join(' ')} to be repaired` });
      // Not only the periodic pass: the netlink delete event triggers one of its own.
      await waitFor(() => triggeredPasses(d) > triggered, { what: `a pass triggered by ${cmd.slice(0, 2).join(' ')}` });
    }
    // Each repair reached flanneld's /metrics through the backend's status report.
    for (const kind of kinds) {
      await waitFor(async () => ((await repairs(kind)) ?? 0) > repairsBefore.get(kind)!, { what: `flannel_backend_kernel_repairs_total{kind="${kind}"} counting the repair` });
    }
    expect(await pingAll(vx.lab, [vx.pods[0]!, vx.pods[1]!])).toEqual([]);
  });

  it('never touches routes, neighbours or fdb entries that are not its own', async () => {
    const ns = vx.lab.hosts[0]!.ns;
    const h2 = vx.lab.hosts[1]!.ip;
    const foreign = [
      ['ip', 'route', 'add', '10.244.200.0/25', 'via', h2], // inside the network, another prefix length
      ['ip', 'route', 'add', '10.244.201.0/24', 'dev', 'fbr0'], // right length, another device
      ['ip', 'route', 'add', '10.9.0.0/24', 'dev', DEV], // on flannel.1, outside the network
      ['ip', 'route', 'add', '10.244.203.0/24', 'via', h2, 'table', '100'], // another table
      ['ip', 'neigh', 'add', '10.9.0.7', 'lladdr', '0a:00:00:00:09:07', 'dev', DEV, 'nud', 'permanent'], // outside the network
      ['ip', 'neigh', 'add', '10.244.204.0', 'lladdr', '0a:00:00:00:cc:04', 'dev', DEV, 'nud', 'noarp'], // not permanent
      ['ip', 'neigh', 'add', '10.244.205.0', 'lladdr', '0a:00:00:00:cc:05', 'dev', 'eth0', 'nud', 'permanent'], // another device
      ['bridge', 'fdb', 'add', '00:00:00:00:00:00', 'dev', DEV, 'dst', '203.0.113.9', 'self', 'permanent'], // the default destination
      ['bridge', 'fdb', 'add', '01:00:5e:00:00:07', 'dev', DEV, 'dst', '203.0.113.7', 'self', 'permanent'], // a multicast MAC
    ];
    // Taken out again however the test ends: the default destination would send this host's
    // multicast (IPv6 router solicitations) out as VXLAN, into the later tests' captures.
    const removals = foreign.map((cmd) => cmd.map((arg) => (arg === 'add' ? 'del' : arg)));
    try {
      await ownsOnlyItsOwn(ns, foreign);
    } finally {
      for (const cmd of removals) await vx.lab.exec(ns, cmd);
    }
    const after = await kernelState(vx.lab, ns);
    const left = [...after.routes, ...after.neighs, ...after.fdb].filter((l) =>
      /^(10\.244\.200\.0\/25 |10\.244\.201\.0\/24 dev fbr0|10\.9\.0\.|10\.244\.204\.0 |00:00:00:00:00:00 |01:00:5e:00:00:07 )/.test(l),
    );
    expect(left).toEqual([]);
  });

  /** Adds `foreign` on host 1 and checks that 30 reconcile passes leave every one of them alone. */
  async function ownsOnlyItsOwn(ns: string, foreign: string[][]): Promise<void> {
    for (const cmd of foreign) expect((await vx.lab.exec(ns, cmd)).stderr, cmd.join(' ')).toBe('');
    const before = await kernelState(vx.lab, ns);
    const table100 = (await vx.lab.exec(ns, ['ip', 'route', 'show', 'table', '100'])).stdout;
    const eth0Neighs = (await vx.lab.exec(ns, ['ip', 'neigh', 'show', 'dev', 'eth0', 'nud', 'permanent'])).stdout;
    const monitor = await startIpMonitor(vx.lab, ns, ['route', 'neigh'], { ipv6: true });
    // Deleting one of our neighbours triggers a reconcile pass that restores it: 30 passes.
    const [d, peer] = [vx.daemons[0]!, vx.daemons[1]!];
    const ours = subnetIp(subnetOf(peer));
    for (let i = 0; i < 30; i++) {
      expect((await vx.lab.exec(ns, ['ip', 'neigh', 'del', ours, 'dev', DEV])).stderr).toBe('');
      await waitFor(() => programmedFor(vx, d, peer), { what: `pass ${i + 1} to restore ${ours}` });
    }
    expect(await kernelState(vx.lab, ns)).toEqual(before);
    expect((await vx.lab.exec(ns, ['ip', 'route', 'show', 'table', '100'])).stdout).toBe(table100);
    expect(table100).toContain('10.244.203.0/24 via');
    expect((await vx.lab.exec(ns, ['ip', 'neigh', 'show', 'dev', 'eth0', 'nud', 'permanent'])).stdout).toBe(eth0Neighs);
    expect(eth0Neighs).toContain('10.244.205.0 lladdr');
    const others = ourChanges(monitor.events()).filter((e) => e.dst !== ours);
    expect(others.map((e) => e.raw)).toEqual([]);
    await monitor.stop();
  }

  it('exchanges traffic with a peer built by hand as Go flanneld builds it, VXLAN on the wire with VNI 1', async () => {
    const { lab, etcd, daemons, pods } = vx;
    const h4 = lab.hosts[3]!;
    const taken = new Set(daemons.map(subnetOf));
    const subnet = ['10.244.240.0/24', '10.244.241.0/24'].find((s) => !taken.has(s))!;
    const mac = '0a:58:0a:f4:f0:04';
    const ip4 = (args: string) => lab.exec(h4.ns, ['ip', ...args.split(' ')]);
    for (const cmd of [
      `link add ${DEV} type vxlan id 1 local ${h4.ip} dev eth0 nolearning dstport 8472`,
      `link set ${DEV} address ${mac}`,
      `link set ${DEV} mtu 1450`,
      `addr add ${subnetIp(subnet)}/32 dev ${DEV}`,
      `link set ${DEV} up`,
    ]) expect((await ip4(cmd)).stderr, cmd).toBe('');
    for (const d of daemons) {
      const [s, m] = [subnetOf(d), await vtepMacOf(vx, d)];
      expect((await ip4(`neigh replace ${subnetIp(s)} lladdr ${m} dev ${DEV} nud permanent`)).stderr).toBe('');
      expect((await lab.exec(h4.ns, ['bridge', 'fdb', 'append', m, 'dev', DEV, 'dst', d.host.ip, 'self', 'permanent'])).stderr).toBe('');
      expect((await ip4(`route replace ${s} via ${subnetIp(s)} dev ${DEV} onlink`)).stderr).toBe('');
    }
    const h4Pod: Pod = await addPod(lab, h4, { subnet: `${subnetIp(subnet).replace(/\.0$/, '.1')}/24`, mtu: 1450 });
    await etcd.etcdctl(['put', leaseKey(subnet), `{"PublicIP":"${h4.ip}","PublicIPv6":null,"BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"${mac}"}}`]);
    for (const d of daemons) {
      await waitFor(() => hasPeerLines(lab, d.host.ns, peerLines(subnet, mac, h4.ip)), { what: `${d.host.name} to program the hand-built peer` });
    }
    const pcap = path.join(vx.tmp.path, 'vxlan.pcap');
    const capture = await captureOnSwitch(lab, pcap, { count: 5 });
    try {
      expect(await pingAll(lab, [...pods, h4Pod])).toEqual([]);
      expect(await tcpEcho(lab, h4Pod, pods[0]!, { port: 7200 })).toBe('200000 True');
      await capture.done;
    } finally {
      await capture.stop();
    }
    const frames = readVxlanPcap(pcap);
    expect(frames).toHaveLength(5);
    for (const f of frames) expect(f).toMatchObject({ udpDstPort: 8472, flags: 0x08, vni: 1 });
    // Inner frames go to the VTEP MAC of the host behind the outer destination.
    const macOf = new Map([[h4.ip, mac], ...(await Promise.all(daemons.map(async (d) => [d.host.ip, await vtepMacOf(vx, d)] as const)))]);
    for (const f of frames) {
      expect(f.innerDstMac).toBe(macOf.get(f.outerDst));
      expect(f.innerSrcMac).toBe(macOf.get(f.outerSrc));
    }
    await etcd.etcdctl(['del', leaseKey(subnet)]);
  });

  it('takes a restarted backend at its word: a new VtepMAC goes into the lease, and the peers follow it', async () => {
    const d = vx.daemons[0]!;
    const [subnet, oldMac, pid] = [subnetOf(d), await vtepMacOf(vx, d), backendPid(d)];
    // Frozen, the backend cannot bring the device back; its successor finds no device and no saved MAC.
    process.kill(pid, 'SIGSTOP');
    expect((await vx.lab.exec(d.host.ns, ['ip', 'link', 'del', DEV])).exitCode).toBe(0);
    for (const dir of daemonStateDirs(d)) rmSync(path.join(dir, 'vtep-mac.1'));
    process.kill(pid, 'SIGKILL');
    await waitFor(() => backendPid(d) !== pid, { what: 'the backend to be restarted' });
    const deviceMac = async () => /link\/ether (\S+) /.exec((await vx.lab.exec(d.host.ns, ['ip', 'link', 'show', DEV])).stdout)?.[1];
    const newMac = await waitFor(async () => {
      const [leased, device] = [await vtepMacOf(vx, d), await deviceMac()];
      return leased !== oldMac && leased === device && leased;
    }, { what: 'the lease to carry the new device MAC' });
    expect(subnetOf(d)).toBe(subnet);
    expect(d.messages().some((m) => m.startsWith('The restarted backend proposed') && m.includes(newMac))).toBe(true);
    for (const peer of vx.daemons.slice(1)) {
      await waitFor(() => programmedFor(vx, peer, d), { what: `${peer.host.name} to program h1's new VtepMAC` });
      await waitFor(() => programmedFor(vx, d, peer), { what: `h1 to be programmed for ${peer.host.name} again` });
    }
    expect(await pingAll(vx.lab, vx.pods)).toEqual([]);
  });
});
