import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addPod,
  createLab,
  etcdctlTxn,
  pidExists,
  pingAll,
  pingReplies,
  startIpMonitor,
  startLabEtcd,
  startPing,
  tempDir,
  waitFor,
  type EtcdServer,
  type Lab,
  type Pod,
  type TempDir,
} from '@flannel-ts/testing';
import { formatIP4, formatIP4Net, parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { assertBuilt, envValue, startFlanneld, type Daemon } from '@flannel-ts/testing';

// /26 subnets: room for the 500-peer test inside one /16.
const CONFIG = '{"Network":"10.244.0.0/16","SubnetLen":26,"Backend":{"Type":"host-gw"}}';

let lab: Lab;
let etcd: EtcdServer;
let tmp: TempDir;
let daemons: Daemon[];
let pods: Pod[];

const subnetOf = (d: Daemon) => formatIP4Net(parseIP4Net(envValue(d.env(), 'FLANNEL_SUBNET')!));
const routes = async (ns: string) => (await lab.exec(ns, ['ip', '-4', 'route', 'show', 'table', 'main'])).stdout;
const hasRoute = async (ns: string, line: string) => (await routes(ns)).split('\n').some((l) => l.trim() === line);
const backendPid = (d: Daemon) => {
  const started = d.messages().filter((m) => m.startsWith('Started backend'));
  return Number(/\(pid (\d+)\)/.exec(started.at(-1) ?? '')?.[1]);
};

beforeAll(async () => {
  assertBuilt();
  tmp = await tempDir('hostgw-test');
  lab = await createLab({ hosts: 3 });
  etcd = await startLabEtcd(lab);
  await etcd.etcdctl(['put', '/coreos.com/network/config', CONFIG]);
  daemons = await Promise.all(lab.hosts.map((h) => startFlanneld(lab, h, path.join(tmp.path, h.name))));
  await Promise.all(daemons.map((d) => waitFor(() => d.env(), { what: `${d.host.name}'s subnet file` })));
  pods = await Promise.all(
    daemons.map((d) => addPod(lab, d.host, { subnet: envValue(d.env(), 'FLANNEL_SUBNET')!, mtu: Number(envValue(d.env(), 'FLANNEL_MTU')) })),
  );
  // Every host routes to both others.
  await waitFor(
    async () => {
      for (const d of daemons) for (const peer of daemons) {
        if (peer !== d && !(await hasRoute(d.host.ns, `${subnetOf(peer)} via ${peer.host.ip} dev eth0`))) return false;
      }
      return true;
    },
    { what: 'the routes between the 3 hosts' },
  );
});

afterAll(async () => {
  await lab?.destroy();
  await tmp?.remove();
});

describe('host-gw on 3 hosts', () => {
  it('lets every pod reach every other pod', async () => {
    expect(await pingAll(lab, pods)).toEqual([]);
    expect(envValue(daemons[0]!.env(), 'FLANNEL_MTU')).toBe('1500');
  });

  for (const what of ['SIGTERM of flanneld', 'SIGKILL of flanneld', 'a crash of the backend alone'] as const) {
    it(`keeps traffic flowing with zero loss through ${what}, with no route churn`, async () => {
      const d = daemons[0]!;
      const before = subnetOf(d);
      const monitors = await Promise.all(daemons.map((x) => startIpMonitor(lab, x.host.ns, ['route'])));
      const ping = startPing(lab, pods[1]!.ns, pods[0]!.ip, { intervalMs: 10 });
      await waitFor(() => pingReplies(ping.outputFile) >= 20, { what: 'ping to run' });
      if (what === 'a crash of the backend alone') {
        const pid = backendPid(d);
        expect(pid).toBeGreaterThan(0);
        // The log holds the lease lines of every earlier start: only one after the kill counts.
        const leaseLines = () => d.messages().filter((m) => m.startsWith('Lease 10.')).length;
        const granted = leaseLines();
        process.kill(pid, 'SIGKILL');
        await waitFor(() => backendPid(d) !== pid && leaseLines() > granted, {
          what: 'the backend to be restarted and given its lease',
        });
      } else {
        if (what === 'SIGTERM of flanneld') expect((await d.proc.stop()).code).toBe(0);
        else {
          const orphan = backendPid(d);
          d.proc.kill('SIGKILL');
          await d.proc.exited;
          // No orphan backend racing the next one: the parent-death signal ends it.
          await waitFor(() => !pidExists(orphan), { what: `backend ${orphan} to exit with its parent` });
        }
        const runs = d.messages().filter((m) => m === 'Running backend.').length;
        d.restart();
        await waitFor(() => d.messages().filter((m) => m === 'Running backend.').length > runs, { what: 'flanneld to run again' });
      }
      // Keep pinging a while after the restart: 50 more replies (0.5 s).
      const after = pingReplies(ping.outputFile);
      await waitFor(() => pingReplies(ping.outputFile) >= after + 50, { what: '50 more ping replies' });
      const stats = await ping.stop();
      expect(stats.received).toBeGreaterThan(50);
      expect(stats.lossPercent).toBe(0);
      expect(subnetOf(d)).toBe(before);
      for (const m of monitors) {
        const changes = m.events().filter((e) => e.dst?.startsWith('10.244.'));
        expect(changes.map((e) => e.raw)).toEqual([]);
        await m.stop();
      }
    });
  }

  it('adds and removes a peer route when the lease changes in etcd', async () => {
    const key = '/coreos.com/network/subnets/10.244.250.192-26';
    // 192.0.2.13 is a real lab host, so the gateway is on the segment.
    await etcd.etcdctl(['put', key, '{"PublicIP":"192.0.2.13","PublicIPv6":null,"BackendType":"host-gw"}']);
    await waitFor(() => hasRoute(lab.hosts[0]!.ns, '10.244.250.192/26 via 192.0.2.13 dev eth0'), { what: 'the route to appear' });
    await etcd.etcdctl(['del', key]);
    await waitFor(async () => !(await routes(lab.hosts[0]!.ns)).includes('10.244.250.192/26'), { what: 'the route to go' });
  });

  it('skips a peer that is not on the same L2 segment with one error, and routes it once it is', async () => {
    const d = daemons[0]!;
    const ns = d.host.ns;
    const key = '/coreos.com/network/subnets/10.244.251.0-26';
    await etcd.etcdctl(['put', key, '{"PublicIP":"198.51.100.7","PublicIPv6":null,"BackendType":"host-gw"}']);
    const complaint = (m: string) => m.startsWith('Not routing 10.244.251.0/26 via 198.51.100.7');
    await waitFor(() => d.messages().some(complaint), { what: 'the L2 error' });
    // More passes (each route deletion triggers one): still one line, still no route.
    for (let i = 0; i < 5; i++) {
      await lab.exec(ns, ['ip', 'route', 'add', `203.0.113.${i}/32`, 'dev', 'eth0']);
      await lab.exec(ns, ['ip', 'route', 'del', `203.0.113.${i}/32`, 'dev', 'eth0']);
    }
    expect(d.messages().filter(complaint)).toHaveLength(1);
    expect(await routes(ns)).not.toContain('10.244.251.0/26');
    // The peer becomes directly reachable: the next pass routes it.
    await lab.exec(ns, ['ip', 'route', 'add', '198.51.100.0/24', 'dev', 'eth0']);
    await lab.exec(ns, ['ip', 'route', 'add', '203.0.113.99/32', 'dev', 'eth0']);
    await lab.exec(ns, ['ip', 'route', 'del', '203.0.113.99/32', 'dev', 'eth0']);
    await waitFor(() => hasRoute(ns, '10.244.251.0/26 via 198.51.100.7 dev eth0'), { what: 'the route once reachable' });
    await etcd.etcdctl(['del', key]);
    await waitFor(async () => !(await routes(ns)).includes('10.244.251.0/26'), { what: 'the route to go' });
    await lab.exec(ns, ['ip', 'route', 'del', '198.51.100.0/24', 'dev', 'eth0']);
  });

  it('restores a route deleted by hand', async () => {
    const [d, peer] = [daemons[0]!, daemons[1]!];
    const line = `${subnetOf(peer)} via ${peer.host.ip} dev eth0`;
    const monitor = await startIpMonitor(lab, d.host.ns, ['route']);
    expect((await lab.exec(d.host.ns, ['ip', 'route', 'del', subnetOf(peer), 'via', peer.host.ip])).exitCode).toBe(0);
    await waitFor(() => monitor.events().some((e) => !e.deleted && e.dst === subnetOf(peer)), { what: 'the route to come back' });
    expect(monitor.events().map((e) => `${e.deleted ? 'del' : 'add'} ${e.dst}`)).toEqual([`del ${subnetOf(peer)}`, `add ${subnetOf(peer)}`]);
    expect(await hasRoute(d.host.ns, line)).toBe(true);
    await monitor.stop();
  });

  it('never touches routes that are not its own, through many reconcile passes', async () => {
    const ns = lab.hosts[0]!.ns;
    const h2 = lab.hosts[1]!.ip;
    // A second device with a gateway of its own, for "a route via another device".
    await lab.exec(ns, ['ip', 'link', 'add', 'other0', 'type', 'bridge']);
    await lab.exec(ns, ['ip', 'addr', 'add', '198.51.100.1/24', 'dev', 'other0']);
    await lab.exec(ns, ['ip', 'link', 'set', 'other0', 'up']);
    const foreign = [
      ['10.244.0.0/16', 'dev', 'other0'], // another prefix inside the Network: the whole network
      ['10.244.200.0/27', 'via', h2], // inside the network, another prefix length
      ['10.244.201.0/26', 'via', '198.51.100.2', 'dev', 'other0'], // right length, gateway on another device
      ['10.244.202.0/26', 'dev', 'other0'], // right length, no gateway
      ['10.9.0.0/26', 'via', h2], // outside the network
      ['10.244.203.0/26', 'via', h2, 'table', '100'], // another table
    ];
    // Taken out again however the test ends, so that no later test's traffic follows them.
    try {
      for (const r of foreign) expect((await lab.exec(ns, ['ip', 'route', 'add', ...r])).stderr).toBe('');
      const before = await routes(ns);
      const monitor = await startIpMonitor(lab, ns, ['route']);
      // Every route deletion triggers a reconcile pass: 30 of them.
      for (let i = 0; i < 30; i++) {
        await lab.exec(ns, ['ip', 'route', 'add', `203.0.113.${i}/32`, 'dev', 'eth0']);
        await lab.exec(ns, ['ip', 'route', 'del', `203.0.113.${i}/32`, 'dev', 'eth0']);
      }
      expect(await routes(ns)).toBe(before);
      expect(before).toContain('default via 192.0.2.1 dev eth0');
      expect((await lab.exec(ns, ['ip', 'route', 'show', 'table', '100'])).stdout).toContain('10.244.203.0/26 via');
      expect(monitor.events().filter((e) => !e.dst?.startsWith('203.0.113.')).map((e) => e.raw)).toEqual([]);
      await monitor.stop();
    } finally {
      for (const r of foreign) await lab.exec(ns, ['ip', 'route', 'del', ...r]);
      await lab.exec(ns, ['ip', 'link', 'del', 'other0']);
    }
    const left = await routes(ns);
    for (const [dst] of foreign) expect(left).not.toContain(`${dst} `);
    expect((await lab.exec(ns, ['ip', 'route', 'show', 'table', '100'])).stdout).toBe('');
  });

  it('routes no lease that is not a SubnetLen subnet inside the Network, saying so once per lease', async () => {
    const d = daemons[0]!;
    const own = subnetOf(d);
    const half = `${own.split('/')[0]}/27`; // inside our own /26
    const bad = [half, '10.244.0.0/16', '10.9.0.0/26'];
    const key = (s: string) => `/coreos.com/network/subnets/${s.replace('/', '-')}`;
    // In h3's name (a real lab host, so every route would be on the segment); h1 and h2 are to judge them.
    const value = '{"PublicIP":"192.0.2.13","PublicIPv6":null,"BackendType":"host-gw"}';
    const judges = daemons.slice(0, 2);
    for (const s of bad) await etcd.etcdctl(['put', key(s), value]);
    // A good lease put after them is routed: every earlier one has been through the filter by then.
    await etcd.etcdctl(['put', key('10.244.252.0/26'), value]);
    for (const x of judges) await waitFor(() => hasRoute(x.host.ns, '10.244.252.0/26 via 192.0.2.13 dev eth0'), { what: `${x.host.name} to route the good lease` });
    for (const x of judges) {
      const table = await routes(x.host.ns);
      for (const s of bad) expect(table, `${x.host.name}: ${s}`).not.toContain(`${s} via 192.0.2.13`);
    }
    for (const s of bad) expect(d.messages().filter((m) => m.startsWith(`Not routing lease ${s} of 192.0.2.13`)), s).toHaveLength(1);
    for (const s of [...bad, '10.244.252.0/26']) await etcd.etcdctl(['del', key(s)]);
    await waitFor(async () => !(await routes(d.host.ns)).includes('10.244.252.0/26'), { what: 'the good lease to go' });
  });

  it('routes 500 peer leases put in 4 transactions, and drops them all when deleted', async () => {
    const ns = lab.hosts[0]!.ns;
    const taken = new Set(daemons.map(subnetOf));
    const subnets: string[] = [];
    // /26 subnets from 10.244.64.0 on, skipping the hosts' own.
    for (let ip = parseIP4('10.244.64.0'); subnets.length < 500; ip += 64) {
      const s = `${formatIP4(ip)}/26`;
      if (!taken.has(s)) subnets.push(s);
    }
    const gw = (i: number) => lab.hosts[1 + (i % 2)]!.ip;
    const key = (s: string) => `/coreos.com/network/subnets/${s.replace('/', '-')}`;
    const ours = async () => (await routes(ns)).split('\n').filter((l) => / via 192\.0\.2\.1[23] dev eth0/.test(l) && l.startsWith('10.244.')).length;
    const baseline = await ours();
    for (let t = 0; t < 4; t++) {
      const batch = subnets.slice(t * 125, t * 125 + 125);
      await etcdctlTxn(etcd, batch.map((s, j) => ({ put: [key(s), `{"PublicIP":"${gw(t * 125 + j)}","PublicIPv6":null,"BackendType":"host-gw"}`] as [string, string] })));
    }
    await waitFor(async () => (await ours()) === baseline + 500, { what: '500 more routes' });
    const table = await routes(ns);
    subnets.forEach((s, i) => expect(table).toContain(`${s} via ${gw(i)} dev eth0`));
    for (let t = 0; t < 4; t++) {
      await etcdctlTxn(etcd, subnets.slice(t * 125, t * 125 + 125).map((s) => ({ del: key(s) })));
    }
    await waitFor(async () => (await ours()) === baseline, { what: 'the 500 routes to go' });
  });
});

describe('host-gw, a host whose lease is taken over', () => {
  it('moves to a new subnet, and never routes to its own new subnet', async () => {
    const d = daemons[2]!;
    const before = subnetOf(d);
    const monitor = await startIpMonitor(lab, d.host.ns, ['route']);
    // Another host (h2) claims h3's key: h3 must move, and its new lease is never one of its peers.
    await etcd.etcdctl(['put', `/coreos.com/network/subnets/${before.replace('/', '-')}`, `{"PublicIP":"${lab.hosts[1]!.ip}","PublicIPv6":null,"BackendType":"host-gw"}`]);
    const after = await waitFor(() => (subnetOf(d) !== before ? subnetOf(d) : undefined), { what: 'h3 to move' });
    await waitFor(() => hasRoute(d.host.ns, `${before} via ${lab.hosts[1]!.ip} dev eth0`), { what: 'h3 to route its old subnet to h2' });
    for (const peer of daemons.slice(0, 2)) {
      await waitFor(() => hasRoute(peer.host.ns, `${after} via ${d.host.ip} dev eth0`), { what: `${peer.host.name} to route h3's new subnet` });
    }
    expect(monitor.events().filter((e) => e.dst === after).map((e) => e.raw)).toEqual([]);
    expect(d.messages().filter((m) => m.startsWith(`Subnet added: ${after}`))).toEqual([]);
    await monitor.stop();
  });
});

// How fast they converge is measured by tools/bench/hostgw.ts; this checks that they all do, with distinct subnets.
describe('host-gw, 5 hosts started at the same instant', () => {
  it('each routes to the other 4', async () => {
    const tmp5 = await tempDir('hostgw5');
    const lab5 = await createLab({ hosts: 5 });
    try {
      const etcd5 = await startLabEtcd(lab5);
      await etcd5.etcdctl(['put', '/coreos.com/network/config', CONFIG]);
      const ds = await Promise.all(lab5.hosts.map((h) => startFlanneld(lab5, h, path.join(tmp5.path, h.name))));
      await waitFor(
        async () => {
          if (ds.some((d) => !d.env())) return false;
          for (const d of ds) {
            const table = (await lab5.exec(d.host.ns, ['ip', '-4', 'route'])).stdout;
            for (const peer of ds) if (peer !== d && !table.includes(`${subnetOf(peer)} via ${peer.host.ip} dev eth0`)) return false;
          }
          return true;
        },
        { what: 'all 20 routes' },
      );
      expect(new Set(ds.map(subnetOf)).size).toBe(5);
    } finally {
      await lab5.destroy();
      await tmp5.remove();
    }
  });
});
