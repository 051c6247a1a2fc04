// Benchmark: one host of a 5,000-host cluster (Network 10.0.0.0/8, SubnetLen 24), host-gw and vxlan,
// on a lab host with etcd in the lab. Every peer lease has a PublicIP of its own, as hosts of a real
// cluster do: from 198.18.0.0/15 (the benchmarking range), made on-link for h1 by a second address on
// its eth0. (Routes through two shared gateways would cost the kernel far less: it keeps one nexthop
// per gateway.) For each backend:
//   1. join: --peers leases (default 5,000) are in etcd; flanneld starts on h1; the time from its spawn
//      until every peer's route (host-gw) or route + neighbour + FDB entry (vxlan) is in h1's kernel;
//   2. churn: --rate lease changes per second (default 100) for --seconds (default 60), a third each
//      adds, deletes and PublicIP moves, played by tools/bench/scale/churn-client.ts next to etcd; for
//      each, etcd's acknowledgement → the kernel change (`ip -ts monitor`, `bridge -ts monitor fdb`):
//      p50 / p99 / max;
//   3. VmRSS and VmHWM of flanneld and its backend after the join and after the churn, and the CPU
//      time each used from its start through the join.
// SCALE_TYPES=vxlan (or host-gw) measures one backend; SCALE_LOG=1 prints the joining flanneld's log (its
// backend's lines included), each line with its time since the spawn; SCALE_V=2 starts it at that verbosity. Figures go to docs/bench/results.json (--results FILE, --no-record).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIP4, formatIP4Net, ip4Net, parseIP4, sizeOf, type IP4Net } from '@flannel-ts/ip';
import { encodeLeaseAttrs, leaseKey } from '@flannel-ts/subnet';
import {
  assertBuilt,
  createLab,
  envValue,
  etcdctlTxn,
  startFlanneld,
  startIpMonitor,
  startLabEtcd,
  tempDir,
  waitFor,
  type Daemon,
  type EtcdServer,
  type Lab,
  type LabHost,
} from '@flannel-ts/testing';
import { Progress, startBench } from './src/bench.js';
import { procSample } from './scale/etcd-probe.js';

const { opts, record } = startBench('scale-hosts', { peers: 5_000, rate: 100, seconds: 60 });
type BackendType = 'host-gw' | 'vxlan';
/** SCALE_TYPES=vxlan measures one backend only. */
const TYPES = (process.env.SCALE_TYPES?.split(',') ?? ['host-gw', 'vxlan']).map((t): BackendType => {
  if (t !== 'host-gw' && t !== 'vxlan') throw new Error(`SCALE_TYPES: ${JSON.stringify(t)} is not host-gw or vxlan`);
  return t;
});
const NETWORK = ip4Net(parseIP4('10.0.0.0'), 8);
const SUBNET_LEN = 24;
/** etcd refuses transactions of more than 128 operations (--max-txn-ops). */
const TXN_BATCH = 125;
const VXLAN_DEV = 'flannel.1';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHURN_CLIENT = path.join(root, 'tools/bench/scale/churn-client.ts');

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const percentile = (xs: readonly number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.max(0, Math.ceil(p * xs.length) - 1))]!;
const fmt = (x: number, digits = 0) => x.toFixed(digits);

/** The i-th subnet of the network (i ≥ 1: the first /24 is never leased). */
const subnetNo = (i: number): IP4Net => ip4Net(NETWORK.ip + i * sizeOf(SUBNET_LEN), SUBNET_LEN);
/** h1's second address on eth0: the peers' public IPs below are on-link for it. */
const PEER_LINK = '198.19.255.254/15';
/** Lease i's PublicIP, and the one a move gives it. */
const publicIpNo = (i: number, moved = false): string => formatIP4(parseIP4(moved ? '198.19.0.0' : '198.18.0.0') + i);
const macNo = (i: number) => `0a:${[(i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255, 1].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

function attrsOf(type: BackendType, i: number, publicIp: string) {
  return {
    publicIp: parseIP4(publicIp),
    backendType: type,
    ...(type === 'vxlan' ? { backendData: JSON.stringify({ VNI: 1, VtepMAC: macNo(i) }) } : {}),
  };
}

interface Memory {
  readonly rss: number;
  readonly hwm: number;
}

function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) / 1024;
  return { rss: mib('VmRSS'), hwm: mib('VmHWM') };
}

function backendPid(d: Daemon): number {
  return Number(/\(pid (\d+)\)/.exec(d.messages().findLast((m) => m.startsWith('Started backend')) ?? '')?.[1]);
}

/** What of the peers' state is in the host's kernel: routes, and for vxlan permanent neighbours and FDB entries. */
async function kernelCounts(lab: Lab, host: LabHost, type: BackendType): Promise<{ routes: number; neighs: number; fdb: number }> {
  const lines = async (argv: string[]) => (await lab.exec(host.ns, argv)).stdout.split('\n');
  const routes = (await lines(['ip', '-4', 'route', 'show', 'root', formatIP4Net(NETWORK), 'proto', 'boot'])).filter((l) => l.startsWith('10.')).length;
  if (type === 'host-gw') return { routes, neighs: 0, fdb: 0 };
  const neighs = (await lines(['ip', '-4', 'neigh', 'show', 'dev', VXLAN_DEV, 'nud', 'permanent'])).filter((l) => l.startsWith('10.')).length;
  const fdb = (await lines(['bridge', 'fdb', 'show', 'dev', VXLAN_DEV])).filter((l) => l.includes(' dst ')).length;
  return { routes, neighs, fdb };
}

const complete = (c: { routes: number; neighs: number; fdb: number }, type: BackendType, peers: number) =>
  c.routes >= peers && (type === 'host-gw' || (c.neighs >= peers && c.fdb >= peers));

async function seed(etcd: EtcdServer, prefix: string, type: BackendType): Promise<void> {
  const ops = Array.from({ length: opts.peers }, (_, k) => {
    const i = k + 1;
    return { put: [leaseKey(prefix, subnetNo(i)), encodeLeaseAttrs(attrsOf(type, i, publicIpNo(i)))] as const };
  });
  for (let i = 0; i < ops.length; i += TXN_BATCH) {
    if (!(await etcdctlTxn(etcd, ops.slice(i, i + TXN_BATCH))).succeeded) throw new Error(`seeding leases ${i}.. did not succeed`);
  }
}

interface Change {
  readonly op: 'add' | 'del' | 'move';
  readonly subnet: string;
  readonly publicIp: string;
  readonly backendType: BackendType;
  readonly backendData?: string;
  /** vxlan: the peer's VTEP MAC, whose FDB entry a move changes. */
  readonly mac: string;
}

/**
 * add, del, move in turn: new subnets after the seeded ones (never `own`, the joined host's lease);
 * deletes and moves each on their own seeded subnets.
 */
function churnPlan(type: BackendType, own: string): Change[] {
  const count = Math.round(opts.rate * opts.seconds);
  const third = Math.ceil(count / 3);
  if (2 * third > opts.peers) throw new Error(`--peers ${opts.peers} is too few for ${count} changes (deletes and moves need their own leases)`);
  return Array.from({ length: count }, (_, n) => {
    const k = Math.floor(n / 3);
    const op = (['add', 'del', 'move'] as const)[n % 3]!;
    let i = op === 'add' ? opts.peers + 1 + k : op === 'del' ? 1 + k : 1 + third + k;
    if (op === 'add' && formatIP4Net(subnetNo(i)) === own) i += third;
    const publicIp = publicIpNo(i, op === 'move');
    const attrs = attrsOf(type, i, publicIp);
    return { op, subnet: formatIP4Net(subnetNo(i)), publicIp, backendType: type, ...(attrs.backendData ? { backendData: attrs.backendData } : {}), mac: macNo(i) };
  });
}

// bridge has no -ts: "Timestamp: Sat Dec  5 03:40:18 2026 300242 usec" then
// "0a:00:00:00:01:01 dev flannel.1 dst 192.0.2.13 self permanent" (or "Deleted ...").
const FDB_STAMP = /^Timestamp: (.+) (\d+) usec$/;
const FDB_ENTRY = /^(Deleted )?([0-9a-f:]{17}) dev \S+ dst (\S+)/;

function fdbEvents(file: string): Array<{ mac: string; dst: string; deleted: boolean; atMs: number }> {
  const events: Array<{ mac: string; dst: string; deleted: boolean; atMs: number }> = [];
  let atMs = NaN;
  for (const line of readFileSync(file, 'utf8').split('\n').slice(0, -1)) {
    const stamp = FDB_STAMP.exec(line);
    if (stamp) {
      atMs = Date.parse(stamp[1]!) + Number(stamp[2]) / 1000;
      continue;
    }
    const m = FDB_ENTRY.exec(line);
    if (m && !Number.isNaN(atMs)) events.push({ mac: m[2]!, dst: m[3]!, deleted: m[1] !== undefined, atMs });
  }
  return events;
}

/** How many lines the file holds so far (0 while it does not exist). */
function linesIn(file: string): number {
  if (!existsSync(file)) return 0;
  const bytes = readFileSync(file);
  let lines = 0;
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) lines++;
  return lines;
}

async function run(lab: Lab, etcd: EtcdServer, type: BackendType, tmpDir: string, progress: Progress): Promise<void> {
  const h1 = lab.hosts[0];
  // The previous backend's routes stay behind (a stop keeps kernel state): not this join's work.
  await lab.exec(h1!.ns, ['ip', '-4', 'route', 'flush', 'root', formatIP4Net(NETWORK), 'proto', 'boot']);
  const prefix = `/bench/${type}/network`;
  await etcd.etcdctl(['put', `${prefix}/config`, JSON.stringify({ Network: formatIP4Net(NETWORK), SubnetLen: SUBNET_LEN, Backend: { Type: type } })]);
  progress.step(`${type}: ${opts.peers} leases put`);
  await seed(etcd, prefix, type);

  progress.step(`${type}: new host → ${opts.peers} peers in the kernel`);
  const fdbFile = path.join(tmpDir, `fdb-${type}.log`);
  const fdbMonitor = type === 'vxlan' ? lab.spawn(h1!.ns, ['bridge', '-timestamp', 'monitor', 'fdb'], { stdout: fdbFile, stderr: fdbFile }) : undefined;
  const joinMonitor = await startIpMonitor(lab, h1!.ns, type === 'vxlan' ? ['route', 'neigh'] : ['route']);
  const dir = path.join(tmpDir, type);
  const spawnedAt = performance.timeOrigin + performance.now();
  const d = await startFlanneld(lab, h1!, dir, { args: [`--etcd-prefix=${prefix}`, ...(process.env.SCALE_V ? [`-v=${process.env.SCALE_V}`] : [])] });
  try {
    // The join ends at the kernel's last needed change, as the monitors stamped it: the bench only
    // has to notice it, so it looks every 100 ms without dumping tables beside the daemon at work.
    let polls = 0;
    // Counting lines is cheap; parsing every event at each look took CPU from the daemon at work.
    const minIpLines = type === 'vxlan' ? 2 * opts.peers : opts.peers;
    const mayHaveLanded = () => linesIn(joinMonitor.outputFile) >= minIpLines && (type !== 'vxlan' || linesIn(fdbFile) >= 2 * opts.peers);
    const landedAt = (): number | undefined => {
      polls++;
      if (!mayHaveLanded()) return undefined;
      const stamps = { route: new Map<string, number>(), neigh: new Map<string, number>(), fdb: new Map<string, number>() };
      for (const e of joinMonitor.events()) {
        if (e.deleted || e.atMs === undefined || !e.dst?.startsWith('10.')) continue;
        if (e.kind === 'route' && e.dst.endsWith(`/${SUBNET_LEN}`)) stamps.route.set(e.dst, e.atMs);
        else if (e.kind === 'neigh' && e.dev === VXLAN_DEV) stamps.neigh.set(e.dst, e.atMs);
      }
      if (type === 'vxlan') for (const e of fdbEvents(fdbFile)) if (!e.deleted) stamps.fdb.set(e.mac, e.atMs);
      const counts = { routes: stamps.route.size, neighs: stamps.neigh.size, fdb: stamps.fdb.size };
      if (!complete(counts, type, opts.peers)) return undefined;
      let last = 0;
      for (const map of Object.values(stamps)) for (const at of map.values()) last = Math.max(last, at);
      return last;
    };
    const joinedAt = await waitFor(landedAt, { intervalMs: 100, what: `${opts.peers} peers in h1's kernel (${type})` });
    const counts = await kernelCounts(lab, h1!, type);
    if (!complete(counts, type, opts.peers)) throw new Error(`the monitors saw every peer land, but h1's kernel holds ${JSON.stringify(counts)}`);
    await joinMonitor.stop();
    const joinMs = joinedAt - spawnedAt;
    const logged = readFileSync(path.join(dir, 'flanneld.log'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; time: number });
    const loggedAt = (re: RegExp) => {
      const at = logged.find((r) => re.test(r.msg))?.time;
      return at === undefined ? '?' : fmt(at - spawnedAt);
    };
    if (process.env.SCALE_LOG) for (const r of logged) console.log(`  ${fmt(r.time - spawnedAt)} ms ${r.msg.slice(0, 150)}`);
    const kernelWhat = type === 'host-gw' ? 'route' : 'route + neighbour + FDB entry';
    // The monitors stamp an event when they print it, late when they are short of CPU: the
    // backend's own end of pass shows how late.
    const passEnd = type === 'vxlan' ? `, the backend's pass over them ended at ${loggedAt(/^Reconciled \d+ vxlan peers .*\(snapshot\)/)} ms` : '';
    console.log(
      `${type}: spawn → every one of ${opts.peers} peers' ${kernelWhat} in the kernel: ${fmt(joinMs)} ms (by the monitors' stamps, seen in ${polls} looks; subnet.env at ${loggedAt(/^Wrote subnet file/)} ms${passEnd})`,
    );
    record.add({ metric: 'sync', group: `${type}, ${opts.peers} peers`, series: 'spawn → all peers in the kernel', value: joinMs, unit: 'ms' });
    await waitFor(() => d.messages().includes('Watching for new subnet leases'), { what: 'the watch' });
    const afterJoin = { flanneld: memoryOf(d.proc.pid), backend: memoryOf(backendPid(d)) };
    const joinCpuMs = { flanneld: procSample(d.proc.pid).cpuS * 1000, backend: procSample(backendPid(d)).cpuS * 1000 };

    progress.step(`${type}: ${opts.rate} changes/s for ${opts.seconds} s`);
    const own = envValue(d.env(), 'FLANNEL_SUBNET')!.replace(/\.1\/24$/, '.0/24');
    const plan = churnPlan(type, own);
    const planFile = path.join(tmpDir, `plan-${type}.ndjson`);
    writeFileSync(planFile, plan.map((c) => JSON.stringify(c)).join('\n') + '\n');
    const monitor = await startIpMonitor(lab, h1!.ns, ['route']);
    const clientOut = path.join(tmpDir, `churn-${type}.log`);
    const client = lab.spawn(lab.switchNs, [process.execPath, '--import', 'tsx', CHURN_CLIENT, `http://${lab.switchIp}:2379`, prefix, planFile, String(opts.rate)], {
      cwd: root,
      env: { TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.base.json') },
      stdout: clientOut,
      stderr: clientOut,
    });
    const clientLines = () => (existsSync(clientOut) ? readFileSync(clientOut, 'utf8').split('\n').slice(0, -1) : []);
    // "done" is looked for first: the client exits right after printing it.
    await waitFor(() => (clientLines().includes('done') ? { ok: true } : client.hasExited() ? { failed: readFileSync(clientOut, 'utf8').slice(-800) } : undefined), {
      what: 'the churn client',
      timeoutMs: Math.max(60_000, opts.seconds * 10_000),
    }).then((r) => {
      if ('failed' in r) throw new Error(`churn client failed: ${r.failed}`);
    });
    const acked = new Map<number, number>();
    for (const line of clientLines()) {
      const m = /^(\d+) ([\d.]+)$/.exec(line);
      if (m) acked.set(Number(m[1]), Number(m[2]));
    }
    /** When each change reached the kernel: the first matching event (events read once per look). */
    const landings = (): Map<number, number> => {
      const routeEvents = new Map<string, { atMs?: number; deleted: boolean; raw: string }[]>();
      for (const e of monitor.events()) if (e.kind === 'route' && e.dst) (routeEvents.get(e.dst) ?? routeEvents.set(e.dst, []).get(e.dst)!).push(e);
      const fdb = type === 'vxlan' ? fdbEvents(fdbFile) : [];
      const fdbByMac = new Map<string, typeof fdb>();
      for (const e of fdb) (fdbByMac.get(e.mac) ?? fdbByMac.set(e.mac, []).get(e.mac)!).push(e);
      const at = new Map<number, number>();
      for (const [index, c] of plan.entries()) {
        const found =
          type === 'vxlan' && c.op === 'move'
            ? fdbByMac.get(c.mac)?.find((e) => e.dst === c.publicIp && !e.deleted)?.atMs
            : routeEvents.get(c.subnet)?.find((e) => e.deleted === (c.op === 'del') && (c.op !== 'move' || e.raw.includes(`via ${c.publicIp} `)))?.atMs;
        if (found !== undefined) at.set(index, found);
      }
      return at;
    };
    let landed = new Map<number, number>();
    await waitFor(
      () => {
        landed = landings();
        return landed.size === plan.length;
      },
      { what: `every change in h1's kernel`, intervalMs: 500 },
    ).catch(() => undefined);
    const missing = plan.length - landed.size;
    const latencies = new Map<string, number[]>();
    const all: number[] = [];
    for (const [index, c] of plan.entries()) {
      const at = landed.get(index);
      const ack = acked.get(index);
      if (at === undefined || ack === undefined) continue;
      const ms = Math.max(0, at - ack);
      (latencies.get(c.op) ?? latencies.set(c.op, []).get(c.op)!).push(ms);
      all.push(ms);
    }
    await monitor.stop();
    const line = (xs: number[]) => `p50 ${fmt(percentile(xs, 0.5), 1)} ms, p99 ${fmt(percentile(xs, 0.99), 1)} ms, max ${fmt(Math.max(...xs), 1)} ms (${xs.length})`;
    console.log(`${type}: ${plan.length} changes at ${opts.rate}/s, etcd ack → kernel: ${line(all)}${missing ? `; ${missing} never seen` : ''}`);
    for (const [op, xs] of latencies) console.log(`    ${op.padEnd(4)} ${line(xs)}`);
    record.add({ metric: 'latency', group: `${type}, ${opts.peers} peers, ${opts.rate} changes/s`, series: 'p50', value: percentile(all, 0.5), unit: 'ms' });
    record.add({ metric: 'latency', group: `${type}, ${opts.peers} peers, ${opts.rate} changes/s`, series: 'p99', value: percentile(all, 0.99), unit: 'ms' });
    const afterChurn = { flanneld: memoryOf(d.proc.pid), backend: memoryOf(backendPid(d)) };
    for (const who of ['flanneld', 'backend'] as const) {
      console.log(
        `    ${who.padEnd(8)} RSS after the join ${fmt(afterJoin[who].rss, 1)} MiB, after the churn ${fmt(afterChurn[who].rss, 1)} MiB, peak ${fmt(afterChurn[who].hwm, 1)} MiB; CPU from its start through the join ${fmt(joinCpuMs[who])} ms`,
      );
      record.add({ metric: 'rss', group: `${type}, ${opts.peers} peers`, series: who, value: afterChurn[who].rss, unit: 'MiB' });
    }
  } finally {
    await d.proc.stop();
    await joinMonitor.stop();
    await fdbMonitor?.stop();
  }
}

async function main(): Promise<void> {
  assertBuilt();
  const tmp = await tempDir('flannel-scale-hosts');
  const lab = await createLab({ hosts: 1 });
  try {
    const linked = await lab.exec(lab.hosts[0]!.ns, ['ip', 'addr', 'add', PEER_LINK, 'dev', 'eth0']);
    if (linked.exitCode !== 0) throw new Error(`ip addr add ${PEER_LINK}: ${linked.stderr}`);
    const etcd = await startLabEtcd(lab);
    const progress = new Progress('scale-hosts', TYPES.length * 3);
    for (const type of TYPES) await run(lab, etcd, type, tmp.path, progress);
    record.save();
  } finally {
    await lab.destroy();
    await tmp.remove();
  }
}

await main();
