// Benchmark of the vxlan backend in one lab run:
//  - pod→pod iperf3 over vxlan ÷ host→host over the bare underlay (lab eth0 addresses), 1 and 4
//    streams, the two alternated ROUNDS times, medians;
//  - a new host joining 1,000 existing vxlan leases: from spawning flanneld until the kernel holds
//    a route, a neighbour and an fdb entry for every one of them.
// Run: npx tsx --tsconfig tsconfig.base.json tools/bench/vxlan.ts [--rounds=3] [--seconds=3] [--joins=3]
// (after `npm run build`). The figures go to docs/bench/results.json (--results FILE, --no-record).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatIP4, formatIP4Net, ip4Net, parseIP4Net, sizeOf, type IP4Net } from '@flannel-ts/ip';
import {
  addPod,
  assertBuilt,
  createLab,
  envValue,
  etcdctlTxn,
  iperf3Client,
  iperf3Server,
  startFlanneld,
  startLabEtcd,
  tempDir,
  waitFor,
  type Daemon,
  type EtcdServer,
  type Lab,
  type LabHost,
} from '@flannel-ts/testing';
import { Progress, startBench } from './src/bench.js';

const NETWORK = parseIP4Net('10.240.0.0/12');
const SUBNET_LEN = 24;
const CONFIG = JSON.stringify({ Network: formatIP4Net(NETWORK), SubnetLen: SUBNET_LEN, Backend: { Type: 'vxlan' } });
const PREFIX = '/coreos.com/network';
const { opts, record } = startBench('vxlan', { rounds: 3, seconds: Number(process.env.IPERF_SECONDS ?? 3), joins: 3 });
const ROUNDS = opts.rounds;
const IPERF_SECONDS = opts.seconds;
const PEERS = 1_000;
const JOINS = opts.joins;
/** etcd refuses transactions of more than 128 operations (--max-txn-ops). */
const TXN_BATCH = 125;
const DEV = 'flannel.1';
/** Log lines (flanneld's and its backend's) whose times show where a join spends its time. */
const PHASES = ['Using interface', 'Started backend', 'Created vxlan device', 'Allocated lease', 'Lease 10.', 'Wrote subnet file', 'Reconciled'];

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const gbit = (bps: number) => (bps / 1e9).toFixed(2);
const leaseKey = (subnet: IP4Net) => `${PREFIX}/subnets/${formatIP4(subnet.ip)}-${subnet.prefixLen}`;
const subnetOf = (d: Daemon) => formatIP4Net(parseIP4Net(envValue(d.env(), 'FLANNEL_SUBNET')!));

async function throughput(lab: Lab, serverNs: string, clientNs: string, serverIp: string, streams: number): Promise<number> {
  const server = await iperf3Server(lab, serverNs);
  try {
    return (await iperf3Client(lab, clientNs, serverIp, { seconds: IPERF_SECONDS, streams })).bitsPerSecond;
  } finally {
    await server.stop();
  }
}

/** Routes, permanent neighbours and fdb entries on flannel.1 of a host, in one exec. */
async function tunnelEntries(lab: Lab, host: LabHost): Promise<{ routes: number; neighs: number; fdb: number }> {
  const script = [
    `ip -4 route show dev ${DEV} | grep -c onlink`,
    `ip -4 neigh show dev ${DEV} nud permanent | grep -c lladdr`,
    `bridge fdb show dev ${DEV} | grep -c ' dst .* permanent'`,
  ].join('; ');
  const [routes, neighs, fdb] = (await lab.exec(host.ns, ['sh', '-c', script])).stdout.trim().split('\n').map(Number);
  return { routes: routes ?? 0, neighs: neighs ?? 0, fdb: fdb ?? 0 };
}

/** PEERS vxlan leases on free subnets, pointing at `hosts` in turn, each with its own VtepMAC. */
async function putPeerLeases(etcd: EtcdServer, hosts: readonly LabHost[], taken: ReadonlySet<string>): Promise<void> {
  const size = sizeOf(SUBNET_LEN);
  const subnets: IP4Net[] = [];
  for (let i = 1; subnets.length < PEERS; i++) {
    const subnet = ip4Net(NETWORK.ip + i * size, SUBNET_LEN);
    if (!taken.has(formatIP4Net(subnet))) subnets.push(subnet);
  }
  const value = (i: number) => {
    const mac = `0a:00:00:${[i >> 16, (i >> 8) & 0xff, i & 0xff].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
    return JSON.stringify({ PublicIP: hosts[i % hosts.length]!.ip, PublicIPv6: null, BackendType: 'vxlan', BackendData: { VNI: 1, VtepMAC: mac } });
  };
  for (let at = 0; at < subnets.length; at += TXN_BATCH) {
    const batch = subnets.slice(at, at + TXN_BATCH);
    await etcdctlTxn(etcd, batch.map((s, j) => ({ put: [leaseKey(s), value(at + j)] as [string, string] })));
  }
}

/** Epoch ms of the first log line (flanneld's or its backend's) starting with `prefix`. */
function logTime(d: Daemon, prefix: string): number | undefined {
  for (const line of readFileSync(path.join(d.dir, 'flanneld.log'), 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const { msg, time } = JSON.parse(line) as { msg: string; time: number };
    if (msg.startsWith(prefix)) return time;
  }
  return undefined;
}

function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

async function main(): Promise<void> {
  assertBuilt();
  const tmp = tempDir('vxlan-bench');
  const lab = await createLab({ hosts: 3 });
  try {
    const etcd = await startLabEtcd(lab);
    await etcd.etcdctl(['put', `${PREFIX}/config`, CONFIG]);
    const [h1, h2, h3] = [lab.hosts[0]!, lab.hosts[1]!, lab.hosts[2]!];

    // ---- throughput: two hosts with a pod each ----
    const pair = await Promise.all([h1, h2].map((h) => startFlanneld(lab, h, path.join(tmp.path, h.name))));
    await Promise.all(pair.map((d) => waitFor(() => d.env(), { what: `${d.host.name}'s subnet file` })));
    const pods = await Promise.all(
      pair.map((d) => addPod(lab, d.host, { subnet: envValue(d.env(), 'FLANNEL_SUBNET')!, mtu: Number(envValue(d.env(), 'FLANNEL_MTU')) })),
    );
    await waitFor(async () => (await tunnelEntries(lab, h1)).routes >= 1 && (await tunnelEntries(lab, h2)).routes >= 1, { what: 'the two hosts to route to each other' });
    const progress = new Progress('vxlan', ROUNDS * 4 + JOINS);
    const rates = new Map<string, number[]>();
    const keep = (what: string, bps: number) => rates.set(what, [...(rates.get(what) ?? []), bps]);
    for (let round = 0; round < ROUNDS; round++) {
      for (const streams of [1, 4]) {
        progress.step(`round ${round + 1} of ${ROUNDS}: iperf3 pod→pod over vxlan, ${streams} stream${streams > 1 ? 's' : ''}`);
        keep(`vxlan ${streams}`, await throughput(lab, pods[1]!.ns, pods[0]!.ns, pods[1]!.ip, streams));
        progress.step(`round ${round + 1} of ${ROUNDS}: iperf3 host→host over the bare veth, ${streams} stream${streams > 1 ? 's' : ''}`);
        keep(`bare ${streams}`, await throughput(lab, h2.ns, h1.ns, h2.ip, streams));
      }
    }
    console.log(`pod→pod over vxlan ÷ host→host over the bare underlay (iperf3 ${IPERF_SECONDS} s, ${ROUNDS} alternating rounds, medians; FLANNEL_MTU ${envValue(pair[0]!.env(), 'FLANNEL_MTU')})`);
    for (const streams of [1, 4]) {
      const [vx, bare] = [median(rates.get(`vxlan ${streams}`)!), median(rates.get(`bare ${streams}`)!)];
      const all = (what: string) => rates.get(`${what} ${streams}`)!.map(gbit).join(' / ');
      const series = `${streams} stream${streams > 1 ? 's' : ''}`;
      const runs = (what: string) => rates.get(`${what} ${streams}`)!.map((bps) => bps / 1e9);
      record.add({ metric: 'throughput-ratio', group: 'vxlan', series, value: vx / bare, unit: 'ratio' });
      record.add({ metric: 'throughput', group: 'vxlan', series, value: vx / 1e9, unit: 'Gbit/s', runs: runs('vxlan') });
      record.add({ metric: 'throughput', group: 'bare veth (vxlan run)', series, value: bare / 1e9, unit: 'Gbit/s', runs: runs('bare') });
      console.log(`  ${streams} stream${streams > 1 ? 's' : ' '}: vxlan ${gbit(vx)} Gbit/s (${all('vxlan')}), bare ${gbit(bare)} Gbit/s (${all('bare')}), ratio ${(vx / bare).toFixed(2)}`);
    }
    // They keep their kernel state; stopped so they do not compete with the joining host.
    await Promise.all(pair.map((d) => d.proc.stop()));

    // ---- a new host joining PEERS existing leases ----
    await putPeerLeases(etcd, [h1, h2], new Set(pair.map(subnetOf)));
    const wanted = PEERS + pair.length;
    const toEnv: number[] = [];
    const toKernel: number[] = [];
    const phases = new Map<string, number[]>(PHASES.map((p) => [p, []]));
    let rss = { flanneld: 0, backend: 0 };
    let firstPass = '';
    for (let join = 0; join < JOINS; join++) {
      progress.step(`join ${join + 1} of ${JOINS}: new host → ${wanted} routes, neighbours and fdb entries`);
      const started = Date.now();
      const d = await startFlanneld(lab, h3, path.join(tmp.path, `h3-join${join}`));
      await waitFor(() => d.env(), { intervalMs: 5, what: 'the subnet file' });
      toEnv.push(Date.now() - started);
      await waitFor(
        async () => {
          const n = await tunnelEntries(lab, h3);
          return n.routes >= wanted && n.neighs >= wanted && n.fdb >= wanted;
        },
        { timeoutMs: 30_000, intervalMs: 10, what: `${wanted} routes, neighbours and fdb entries on h3` },
      );
      toKernel.push(Date.now() - started);
      for (const phase of PHASES) {
        const at = logTime(d, phase === 'Reconciled' ? `Reconciled ${wanted} vxlan peers` : phase);
        if (at !== undefined) phases.get(phase)!.push(at - started);
      }
      if (join === JOINS - 1) {
        const backend = Number(/\(pid (\d+)\)/.exec(d.messages().findLast((m) => m.startsWith('Started backend')) ?? '')?.[1]);
        rss = { flanneld: rssMiB(d.proc.pid), backend: rssMiB(backend) };
        firstPass = d.messages().find((m) => m.startsWith(`Reconciled ${wanted} vxlan peers`)) ?? '';
      }
      // Leave as a host that was never there: lease, device (and with it every entry) gone.
      const own = parseIP4Net(subnetOf(d));
      await d.proc.stop();
      await etcd.etcdctl(['del', leaseKey(own)]);
      await lab.exec(h3.ns, ['ip', 'link', 'del', DEV]);
    }
    console.log(`new host joining ${PEERS} vxlan leases (+${pair.length} real hosts), ${JOINS} joins, median [runs]:`);
    console.log(`  spawn → subnet.env written:                        ${median(toEnv)} ms  [${toEnv.join(', ')}]`);
    console.log('  where the time goes (log line times after spawn, medians):');
    for (const [phase, times] of phases) if (times.length) console.log(`    ${String(median(times)).padStart(5)} ms  ${phase}`);
    console.log(`  spawn → all ${wanted} routes + neighbours + fdb entries seen: ${median(toKernel)} ms  [${toKernel.join(', ')}]`);
    console.log(`  the backend's first pass (last join): "${firstPass}"`);
    console.log(`  RSS with ${wanted} peers: flanneld ${rss.flanneld.toFixed(1)} MiB, flannel-backend-vxlan ${rss.backend.toFixed(1)} MiB`);
    const joinGroup = `vxlan, ${PEERS} peers`;
    record.add({ metric: 'join', group: joinGroup, series: 'start → subnet.env', value: median(toEnv), unit: 'ms', runs: toEnv });
    record.add({ metric: 'sync', group: joinGroup, series: 'start → all peers in kernel', value: median(toKernel), unit: 'ms', runs: toKernel });
    record.add({ metric: 'rss', group: joinGroup, series: 'flanneld', value: rss.flanneld, unit: 'MiB' });
    record.add({ metric: 'rss', group: joinGroup, series: 'backend', value: rss.backend, unit: 'MiB' });
    record.save();
  } finally {
    await lab.destroy();
    await tmp.remove();
  }
}

await main();
