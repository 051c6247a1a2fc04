// What a 5,000-host flannel cluster asks of one etcd: a real etcd on loopback, the network config
// (10.0.0.0/8, /24 subnets), and --hosts lightweight daemons in --workers child processes
// (tools/bench/scale/worker.ts) that acquire, renew and watch leases with flannel's own lease code.
// Phases: join (all acquire), put → watch latency (--changes writes, 5 a second), quiet renewal window
// (--renewSeconds), a watch burst (--burstRate writes a second for --seconds), db size before and
// after compaction + defrag. TTL and renewal margin are compressed (--ttl, --margin, in seconds) so
// renewals show in a short run; docs/scale.md scales them to flanneld's 24 h / 1 h.
//   node --import tsx tools/bench/scale-cluster.ts [--hosts=5000] [--perClient=100] [--no-record]
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIP4Net, ip4Net, parseIP4 } from '@flannel-ts/ip';
import { EtcdLeaseRegistry, leaseKey, type Lease, type LeaseAttrs } from '@flannel-ts/subnet';
import { forkWithIpc, startEtcd, waitFor, type IpcSubprocess } from '@flannel-ts/testing';
import { Progress, startBench } from './src/bench.js';
import { mergeHistograms, percentileMs, type LatencyHistogram } from './src/latency-histogram.js';
import { phaseCost, sampleEtcd, type EtcdSample } from './scale/etcd-probe.js';
import type { JoinReport, ParentMessage, WorkerMessage, WorkerReport } from './scale/protocol.js';

const { opts, record } = startBench('scale-cluster', {
  hosts: 5_000,
  workers: 5,
  perClient: 100,
  joinConcurrency: 25,
  ttl: 60,
  margin: 30,
  changes: 100,
  renewSeconds: 60,
  burstRate: 100,
  seconds: 30,
});
const PREFIX = '/coreos.com/network';
const CONFIG = '{"Network":"10.0.0.0/8","SubnetLen":24,"Backend":{"Type":"host-gw"}}';
/** The driver's keys: reserved before the daemons join, so no daemon picks them. */
const DRIVER_KEYS = 16;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORKER = path.join(root, 'tools/bench/scale/worker.ts');
const progress = new Progress('scale-cluster', 7);
const wallMs = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (b: number) => (b / 2 ** 20).toFixed(1);
const f = (x: number | undefined, d = 1) => (x === undefined ? 'n/a' : x.toFixed(d));

interface Worker {
  readonly proc: IpcSubprocess;
  readonly inbox: WorkerMessage[];
}

function spawnWorker(): Worker {
  const proc = forkWithIpc(WORKER, [], { cwd: root, stderr: 'inherit' });
  const w: Worker = { proc, inbox: [] };
  proc.on('message', (m) => w.inbox.push(m as WorkerMessage));
  return w;
}

async function expectFrom<T extends WorkerMessage['type']>(w: Worker, type: T, what: string): Promise<Extract<WorkerMessage, { type: T }>> {
  await waitFor(() => w.inbox.some((m) => m.type === type), { what, timeoutMs: 30 * 60_000 });
  const i = w.inbox.findIndex((m) => m.type === type);
  return w.inbox.splice(i, 1)[0] as Extract<WorkerMessage, { type: T }>;
}

const tell = (w: Worker, m: ParentMessage) => void w.proc.send(m);

async function reports(workers: readonly Worker[]): Promise<WorkerReport[]> {
  workers.forEach((w) => tell(w, { type: 'report' }));
  return Promise.all(workers.map((w) => expectFrom(w, 'report', 'a worker report')));
}

function latencyLine(what: string, h: LatencyHistogram): string {
  return `${what}: ${h.count} deliveries, p50 ${f(percentileMs(h, 0.5))} ms, p99 ${f(percentileMs(h, 0.99))} ms, max ${f(h.maxMs)} ms`;
}

function recordLatency(series: string, h: LatencyHistogram): void {
  for (const [name, p] of [['p50', 0.5], ['p99', 0.99]] as const) {
    record.add({ metric: 'cluster', group: 'watch-latency', series: `${series} ${name}`, value: percentileMs(h, p) ?? 0, unit: 'ms' });
  }
  record.add({ metric: 'cluster', group: 'watch-latency', series: `${series} max`, value: h.maxMs, unit: 'ms' });
}

function costLine(what: string, a: EtcdSample, b: EtcdSample): string {
  const c = phaseCost(a, b);
  return (
    `${what} (${f(c.seconds)} s): etcd CPU ${f(c.cpuS)} s = ${f(c.cpuShare * 100, 0)} % of a core, RSS ${mib(b.rssBytes)} MiB; ` +
    `gRPC msgs in ${f(c.grpcInPerS, 0)}/s out ${f(c.grpcOutPerS, 0)}/s, bytes in ${f(c.bytesInPerS / 1024)} KiB/s out ${f(c.bytesOutPerS / 1024)} KiB/s; ` +
    `lease renewals ${f(c.renewalsPerS)}/s; WAL fsyncs ${f(c.fsyncsPerS)}/s`
  );
}

const DRIVER_IP = parseIP4('127.63.0.1');
const stamped = (): LeaseAttrs => ({ publicIp: DRIVER_IP, backendType: 'host-gw', backendData: JSON.stringify({ sentAt: wallMs() }) });

/**
 * Rewrites the driver's keys `count` times, `perSecond` a second, each value stamped with its write
 * time; a rewrite is the registry's compare-and-put transaction, as a flanneld's lease update is.
 */
async function drive(registry: EtcdLeaseRegistry, keys: Lease[], count: number, perSecond: number): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const k = i % keys.length;
    const next = await registry.replaceLease(keys[k]!, stamped(), 0);
    if (!next) throw new Error(`driver key ${leaseKey(PREFIX, keys[k]!.subnet)} was changed by someone else`);
    keys[k] = next;
  }
}

const driverSubnet = (i: number) => ip4Net((parseIP4('10.255.0.0') + i * 256) >>> 0, 24);

async function waitDelivered(workers: readonly Worker[], expected: number, boundMs: number): Promise<WorkerReport[]> {
  const until = performance.now() + boundMs;
  for (;;) {
    const r = await reports(workers);
    const got = r.reduce((n, x) => n + x.delivered, 0);
    if (got >= expected || performance.now() > until) return r;
    await sleep(1_000);
  }
}

async function main(): Promise<void> {
  console.log(`scale-cluster: ${opts.hosts} daemons in ${opts.workers} workers, ${opts.perClient} per etcd client (${Math.ceil(opts.hosts / opts.perClient)} gRPC connections); TTL ${opts.ttl} s, renew margin ${opts.margin} s; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const etcd = await startEtcd({ extraArgs: ['--quota-backend-bytes=8589934592'] });
  const workers: Worker[] = [];
  try {
    const registry = await EtcdLeaseRegistry.connect({ endpoints: [etcd.endpoint], prefix: PREFIX });
    await registry.putConfig(CONFIG);
    // TTL-less keys (reservations), so the driver's rewrites are one transaction each.
    const driverKeys: Lease[] = [];
    for (let i = 0; i < DRIVER_KEYS; i++) {
      const key = await registry.reserve(driverSubnet(i), { publicIp: DRIVER_IP, backendType: 'host-gw' }, undefined);
      if (!key) throw new Error(`driver key ${formatIP4Net(driverSubnet(i))} exists already`);
      driverKeys.push(key);
    }
    const idle = await sampleEtcd(etcd.pid, etcd.endpoint);
    progress.step('etcd up');

    // ---- join ----
    const per = Math.ceil(opts.hosts / opts.workers);
    for (let w = 0; w < opts.workers; w++) workers.push(spawnWorker());
    workers.forEach((w, i) =>
      tell(w, {
        type: 'start',
        endpoint: etcd.endpoint,
        prefix: PREFIX,
        firstIndex: i * per,
        daemons: Math.min(per, opts.hosts - i * per),
        daemonsPerClient: opts.perClient,
        joinConcurrency: opts.joinConcurrency,
        ttlMs: opts.ttl * 1000,
        renewMarginMs: opts.margin * 1000,
      }),
    );
    await Promise.all(workers.map((w) => expectFrom(w, 'ready', 'workers connected')));
    const joinStart = await sampleEtcd(etcd.pid, etcd.endpoint);
    const joins: JoinReport[] = await Promise.all(workers.map((w) => expectFrom(w, 'joined', 'every daemon holding a lease')));
    const joinEnd = await sampleEtcd(etcd.pid, etcd.endpoint);
    const acquire = joins.flatMap((j) => j.acquireMs).sort((a, b) => a - b);
    const joinS = (joinEnd.at - joinStart.at) / 1000;
    const races = joins.reduce((n, j) => n + j.races, 0);
    const failures = joins.reduce((n, j) => n + j.failures, 0);
    const pct = (p: number) => acquire[Math.min(acquire.length - 1, Math.ceil(p * acquire.length) - 1)]!;
    console.log(`join: ${acquire.length} leases in ${f(joinS)} s (${f(acquire.length / joinS, 0)}/s); one acquisition p50 ${f(pct(0.5), 0)} ms p99 ${f(pct(0.99), 0)} ms max ${f(acquire.at(-1), 0)} ms; lost races ${races}, failed attempts ${failures}`);
    console.log(costLine('join', joinStart, joinEnd));
    record.add({ metric: 'cluster', group: 'join', series: 'all leases acquired', value: joinS, unit: 's' });
    record.add({ metric: 'cluster', group: 'join', series: 'one acquisition p99', value: pct(0.99), unit: 'ms' });
    record.add({ metric: 'cluster', group: 'join', series: 'lost races', value: races, unit: 'count' });
    record.add({ metric: 'cluster', group: 'etcd-cpu', series: 'join', value: phaseCost(joinStart, joinEnd).cpuShare * 100, unit: '% of a core' });
    progress.step('joined');

    // One listing as each flanneld makes it after joining (its watcher's first list), timed once.
    const t0 = performance.now();
    const listing = await registry.listLeases();
    const listMs = performance.now() - t0;
    const listBytes = listing.leases.reduce((n, l) => n + l.value.length + leaseKey(PREFIX, l.subnet).length, 0);
    console.log(`one full listing: ${listing.leases.length} leases, ${mib(listBytes)} MiB of keys+values, ${f(listMs, 0)} ms (every daemon makes one at start and on each re-list)`);
    record.add({ metric: 'cluster', group: 'listing', series: 'one full listing', value: listMs, unit: 'ms' });

    // ---- watches ----
    const fromRevision = String(BigInt(listing.revision) + 1n);
    workers.forEach((w) => tell(w, { type: 'watch', fromRevision }));
    await Promise.all(workers.map((w) => expectFrom(w, 'watching', 'every daemon watching')));
    const watching = await sampleEtcd(etcd.pid, etcd.endpoint);
    console.log(`watching: etcd reports ${watching.metrics.watchers} watchers, RSS ${mib(watching.rssBytes)} MiB (idle ${mib(idle.rssBytes)} MiB)`);
    record.add({ metric: 'cluster', group: 'etcd-rss', series: 'all watching', value: watching.rssBytes / 2 ** 20, unit: 'MiB' });
    progress.step('watching');

    // ---- put → watch latency ----
    workers.forEach((w) => tell(w, { type: 'reset' }));
    const latStart = await sampleEtcd(etcd.pid, etcd.endpoint);
    await drive(registry, driverKeys, opts.changes, 5);
    const lat = mergeHistograms((await waitDelivered(workers, opts.changes * opts.hosts, 60_000)).map((r) => r.latency));
    const latEnd = await sampleEtcd(etcd.pid, etcd.endpoint);
    console.log(latencyLine(`put → watch, ${opts.changes} changes at 5/s`, lat));
    console.log(costLine('latency phase', latStart, latEnd));
    recordLatency('5 changes/s', lat);
    progress.step('latency');

    // ---- quiet: renewals only ----
    const r0 = await reports(workers);
    const q0 = await sampleEtcd(etcd.pid, etcd.endpoint);
    await sleep(opts.renewSeconds * 1000);
    const q1 = await sampleEtcd(etcd.pid, etcd.endpoint);
    const r1 = await reports(workers);
    const renewed = r1.reduce((n, r) => n + r.renewalsOk, 0) - r0.reduce((n, r) => n + r.renewalsOk, 0);
    const renewFailed = r1.reduce((n, r) => n + r.renewalsFailed, 0);
    const quiet = phaseCost(q0, q1);
    console.log(`renewals: ${renewed} in ${f(quiet.seconds)} s = ${f(renewed / quiet.seconds)}/s (each daemon every ${opts.ttl - opts.margin} s), failed so far ${renewFailed}`);
    console.log(costLine('quiet (renewals only)', q0, q1));
    const perRenewalCpuMs = (quiet.cpuS * 1000) / Math.max(1, renewed);
    const perRenewalBytes = (quiet.bytesInPerS + quiet.bytesOutPerS) * quiet.seconds / Math.max(1, renewed);
    console.log(`per renewal: etcd CPU ${f(perRenewalCpuMs, 2)} ms, ${f(perRenewalBytes, 0)} bytes in+out (includes idle watch/keepalive traffic)`);
    record.add({ metric: 'cluster', group: 'renewal', series: 'etcd CPU per renewal', value: perRenewalCpuMs, unit: 'ms' });
    record.add({ metric: 'cluster', group: 'renewal', series: 'bytes per renewal', value: perRenewalBytes, unit: 'bytes' });
    record.add({ metric: 'cluster', group: 'etcd-cpu', series: `quiet, ${f(renewed / quiet.seconds)} renewals/s`, value: quiet.cpuShare * 100, unit: '% of a core' });
    progress.step('renewals');

    // ---- burst ----
    workers.forEach((w) => tell(w, { type: 'reset' }));
    const bs0 = await sampleEtcd(etcd.pid, etcd.endpoint);
    const burstCount = opts.burstRate * opts.seconds;
    const dt = performance.now();
    await drive(registry, driverKeys, burstCount, opts.burstRate);
    const driveS = (performance.now() - dt) / 1000;
    const bs1 = await sampleEtcd(etcd.pid, etcd.endpoint);
    const burstReports = await waitDelivered(workers, burstCount * opts.hosts, 120_000);
    const bs2 = await sampleEtcd(etcd.pid, etcd.endpoint);
    const burst = mergeHistograms(burstReports.map((r) => r.latency));
    const stops = burstReports.reduce((n, r) => n + r.watchStops, 0);
    const burstDelivered = burstReports.reduce((n, r) => n + r.delivered, 0);
    console.log(`burst: ${burstCount} changes written in ${f(driveS)} s (asked ${opts.burstRate}/s), ${burstCount * opts.hosts} deliveries due, ${burstDelivered} made, drained ${f((bs2.at - bs1.at) / 1000)} s after the last write; slow watchers at end of writes ${bs1.metrics.slowWatchers}, watch stops ${stops}`);
    console.log(latencyLine('burst put → watch', burst));
    console.log(costLine('burst writes', bs0, bs1));
    console.log(costLine('burst drain', bs1, bs2));
    recordLatency(`burst ${opts.burstRate}/s`, burst);
    record.add({ metric: 'cluster', group: 'etcd-cpu', series: `burst ${opts.burstRate}/s`, value: phaseCost(bs0, bs2).cpuShare * 100, unit: '% of a core' });
    record.add({ metric: 'cluster', group: 'etcd-rss', series: 'after burst', value: bs2.rssBytes / 2 ** 20, unit: 'MiB' });
    progress.step('burst');

    // ---- db size ----
    const endRev = (await registry.listLeases()).revision;
    const s0 = await sampleEtcd(etcd.pid, etcd.endpoint);
    await etcd.etcdctl(['compact', endRev]);
    await etcd.etcdctl(['defrag', '--command-timeout=60s']);
    const s1 = await sampleEtcd(etcd.pid, etcd.endpoint);
    console.log(`db: ${s0.metrics.keys} keys, revision ${endRev}; ${mib(s0.metrics.dbBytes)} MiB (${mib(s0.metrics.dbInUseBytes)} in use) → after compact+defrag ${mib(s1.metrics.dbBytes)} MiB`);
    record.add({ metric: 'cluster', group: 'db-size', series: 'before compaction', value: s0.metrics.dbBytes / 2 ** 20, unit: 'MiB' });
    record.add({ metric: 'cluster', group: 'db-size', series: 'after compact+defrag', value: s1.metrics.dbBytes / 2 ** 20, unit: 'MiB' });
    const workerRss = (await reports(workers)).reduce((n, r) => n + r.rssBytes, 0);
    console.log(`workers' RSS: ${mib(workerRss)} MiB for ${opts.hosts} daemons; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    progress.step('db');
    registry.close();
    record.save();
  } finally {
    workers.forEach((w) => tell(w, { type: 'stop' }));
    await Promise.all(workers.map((w) => w.proc));
    await etcd.dispose();
  }
}

main().catch((err: unknown) => {
  console.error('scale-cluster failed:', err);
  process.exit(1);
});
