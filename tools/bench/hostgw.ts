// Benchmark of the host-gw backend in one lab run: pod→pod throughput against the bare underlay, the
// time a new host takes to route to 1,000 existing peers, lease-to-route latency, and the memory of
// flanneld and its backend holding 1,000 leases. Repetitions: --rounds, --seconds, --joins, --changes;
// the figures go to docs/bench/results.json (--results FILE, --no-record).
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIP4Net, ip4Net, parseIP4, sizeOf, type IP4Net } from '@flannel-ts/ip';
import { encodeLeaseAttrs, leaseKey } from '@flannel-ts/subnet';
import {
  addPod,
  assertBuilt,
  createLab,
  envValue,
  etcdctlTxn,
  iperf3Client,
  iperf3Server,
  pingAll,
  startFlanneld,
  startIpMonitor,
  startLabEtcd,
  tempDir,
  waitFor,
  type Daemon,
  type EtcdServer,
  type Lab,
  type LabHost,
  type TempDir,
} from '@flannel-ts/testing';
import { Progress, startBench } from './src/bench.js';

const CONFIG = '{"Network":"10.244.0.0/16","SubnetLen":26,"Backend":{"Type":"host-gw"}}';
const PREFIX = '/coreos.com/network';
const NETWORK = ip4Net(parseIP4('10.244.0.0'), 16);
const SUBNET_LEN = 26;
const { opts, record } = startBench('hostgw', { rounds: 3, seconds: 3, joins: 3, changes: 200 });
const ROUNDS = opts.rounds;
const IPERF_SECONDS = opts.seconds;
const PEERS = 1_000;
/** etcd refuses transactions of more than 128 operations (--max-txn-ops). */
const TXN_BATCH = 125;
const JOINS = opts.joins;
const CHANGES = opts.changes;
const progress = new Progress('hostgw', ROUNDS * 4 + 1 + JOINS + 2);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PUT_CLIENT = path.join(root, 'tools/bench/put-client.ts');

const wallMs = (): number => performance.timeOrigin + performance.now();
const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const percentile = (xs: readonly number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]!;
const gbit = (bps: number) => bps / 1e9;
const fmt = (x: number, digits = 1) => x.toFixed(digits);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- kernel and etcd views ----

interface RouteEvent {
  readonly dst: string;
  readonly deleted: boolean;
  /** Wall-clock ms, with ip's microseconds. */
  readonly atMs: number;
}

// "[2026-11-23T14:12:15.138385] [ROUTE]10.244.5.64/26 via 192.0.2.12 dev eth0 proto boot "
const ROUTE_LINE = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?\] \[ROUTE\](Deleted )?(\S+)/;

/** Route events of a startIpMonitor output file, complete lines only. `-ts` stamps are local time. */
function routeEvents(outputFile: string): RouteEvent[] {
  const events: RouteEvent[] = [];
  for (const line of readFileSync(outputFile, 'utf8').split('\n').slice(0, -1)) {
    const m = ROUTE_LINE.exec(line);
    if (m) events.push({ dst: m[4]!, deleted: m[3] !== undefined, atMs: Date.parse(m[1]!) + Number(m[2] ?? 0) * 1000 });
  }
  return events;
}

const inNetwork = (dst: string) => dst.startsWith('10.244.');

/** Flannel's routes in a host: `<10.244 subnet> via <peer>`, protocol boot (libs/netlink's default, like iproute2). */
async function flannelRouteCount(lab: Lab, host: LabHost): Promise<number> {
  const { stdout } = await lab.exec(host.ns, ['ip', '-4', 'route', 'show', 'root', formatIP4Net(NETWORK), 'proto', 'boot']);
  return stdout.split('\n').filter((line) => line.includes(' via ')).length;
}

async function leasesInEtcd(etcd: EtcdServer): Promise<Map<string, string>> {
  const out = await etcd.etcdctl(['get', '--prefix', `${PREFIX}/subnets/`, '-w', 'json']);
  const { kvs = [] } = JSON.parse(out) as { kvs?: Array<{ key: string; value: string }> };
  const b64 = (text: string) => Buffer.from(text, 'base64').toString();
  return new Map(kvs.map((kv) => [b64(kv.key), b64(kv.value)]));
}

/** Every /26 flannel may hand out (SubnetMin..SubnetMax: the network minus its first subnet). */
function allSubnets(): IP4Net[] {
  const size = sizeOf(SUBNET_LEN);
  const count = sizeOf(NETWORK.prefixLen) / size;
  return Array.from({ length: count - 1 }, (_, i) => ip4Net(NETWORK.ip + (i + 1) * size, SUBNET_LEN));
}

async function freeSubnets(etcd: EtcdServer): Promise<IP4Net[]> {
  const taken = await leasesInEtcd(etcd);
  return allSubnets().filter((s) => !taken.has(leaseKey(PREFIX, s)));
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

function backendPid(daemon: Daemon): number {
  const started = daemon.messages().findLast((m) => m.startsWith('Started backend'));
  const pid = started && /\(pid (\d+)\)/.exec(started)?.[1];
  if (!pid) throw new Error(`no "Started backend … (pid N)" line in ${daemon.dir}/flanneld.log`);
  return Number(pid);
}

/** flanneld's log lines (and, on the same stdout, its backend's) with their epoch-ms times. */
function logLines(daemon: Daemon): Array<{ msg: string; time: number }> {
  return readFileSync(path.join(daemon.dir, 'flanneld.log'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string; time: number });
}

/** The log after `t0`, runs of lines that differ only in numbers and addresses folded into one. */
function logTimeline(daemon: Daemon, t0: number): string[] {
  const shape = (msg: string) => msg.replace(/\d+(\.\d+)*(\/\d+)?/g, '#');
  const out: string[] = [];
  const lines = logLines(daemon);
  for (let i = 0; i < lines.length; ) {
    let j = i + 1;
    while (j < lines.length && shape(lines[j]!.msg) === shape(lines[i]!.msg)) j++;
    const from = fmt(lines[i]!.time - t0, 0).padStart(5);
    const span = j - i > 1 ? `${from}–${fmt(lines[j - 1]!.time - t0, 0)} ms` : `${from} ms`;
    out.push(`${span.padEnd(14)} ${lines[i]!.msg.slice(0, 100)}${j - i > 1 ? ` … (×${j - i})` : ''}`);
    i = j;
  }
  return out;
}

// ---- 1. throughput ----

async function iperfGbit(lab: Lab, serverNs: string, clientNs: string, serverIp: string, streams: number): Promise<number> {
  const server = await iperf3Server(lab, serverNs);
  try {
    const result = await iperf3Client(lab, clientNs, serverIp, { seconds: IPERF_SECONDS, streams });
    return gbit(result.bitsPerSecond);
  } finally {
    await server.stop();
  }
}

async function throughput(lab: Lab, daemons: Daemon[]): Promise<void> {
  const [h1, h2] = lab.hosts;
  const pods = await Promise.all(
    daemons.map((d) => addPod(lab, d.host, { subnet: envValue(d.env(), 'FLANNEL_SUBNET')!, mtu: Number(envValue(d.env(), 'FLANNEL_MTU')) })),
  );
  const failures = await pingAll(lab, pods);
  if (failures.length) throw new Error(`pods cannot reach each other: ${failures.join(', ')}`);
  const [p1, p2] = pods;
  const runs = new Map<string, number[]>();
  const keep = (name: string, value: number) => runs.set(name, [...(runs.get(name) ?? []), value]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const streams of [1, 4]) {
      const label = `${streams} stream${streams > 1 ? 's' : ''}`;
      progress.step(`round ${round + 1} of ${ROUNDS}: iperf3 pod→pod over host-gw, ${label}`);
      keep(`pod ${streams}`, await iperfGbit(lab, p2!.ns, p1!.ns, p2!.ip, streams));
      progress.step(`round ${round + 1} of ${ROUNDS}: iperf3 host→host over the bare veth, ${label}`);
      keep(`host ${streams}`, await iperfGbit(lab, h2!.ns, h1!.ns, h2!.ip, streams));
    }
  }
  console.log(`1. throughput, iperf3 ${IPERF_SECONDS} s per run, ${ROUNDS} rounds alternating pod/host (Gbit/s)`);
  for (const streams of [1, 4]) {
    for (const [kind, what] of [
      ['pod', `pod→pod ${p1!.ip}→${p2!.ip}`],
      ['host', `host→host ${h1!.ip}→${h2!.ip}`],
    ] as const) {
      const xs = runs.get(`${kind} ${streams}`)!;
      console.log(`   ${what.padEnd(34)} -P ${streams}: ${xs.map((x) => fmt(x)).join(', ').padEnd(18)} median ${fmt(median(xs))}`);
    }
    const ratio = median(runs.get(`pod ${streams}`)!) / median(runs.get(`host ${streams}`)!);
    const series = `${streams} stream${streams > 1 ? 's' : ''}`;
    record.add({ metric: 'throughput-ratio', group: 'host-gw', series, value: ratio, unit: 'ratio' });
    record.add({ metric: 'throughput', group: 'host-gw', series, value: median(runs.get(`pod ${streams}`)!), unit: 'Gbit/s', runs: runs.get(`pod ${streams}`)! });
    record.add({ metric: 'throughput', group: 'bare veth (host-gw run)', series, value: median(runs.get(`host ${streams}`)!), unit: 'Gbit/s', runs: runs.get(`host ${streams}`)! });
    console.log(`   pod÷host -P ${streams}: ${fmt(ratio, 2)}  (Go flanneld host-gw ≈ 0.9–1.0)`);
  }
}

// ---- 2. join ----

/** Puts PEERS host-gw leases (PublicIP h2 or h3) on free subnets and waits until h1 routes them all; returns the subnets. */
async function putPeers(lab: Lab, etcd: EtcdServer): Promise<IP4Net[]> {
  const [h1, h2, h3] = lab.hosts;
  const subnets = (await freeSubnets(etcd)).slice(0, PEERS);
  if (subnets.length < PEERS) throw new Error(`only ${subnets.length} free /${SUBNET_LEN}s for ${PEERS} peer leases`);
  const ops = subnets.map((subnet, i) => {
    const publicIp = parseIP4((i % 2 === 0 ? h2! : h3!).ip);
    return { put: [leaseKey(PREFIX, subnet), encodeLeaseAttrs({ publicIp, backendType: 'host-gw' })] as const };
  });
  const before = await flannelRouteCount(lab, h1!);
  progress.step(`${PEERS} peer leases put → routed on a running host`);
  const t0 = performance.now();
  for (let i = 0; i < ops.length; i += TXN_BATCH) {
    const result = await etcdctlTxn(etcd, ops.slice(i, i + TXN_BATCH));
    if (!result.succeeded) throw new Error(`etcdctl txn of peer leases ${i}..${i + TXN_BATCH - 1} did not succeed`);
  }
  const put = performance.now() - t0;
  await waitFor(async () => (await flannelRouteCount(lab, h1!)) === before + PEERS, { timeoutMs: 30_000, intervalMs: 20, what: `h1 to route ${PEERS} more peers` });
  const routed = performance.now() - t0;
  console.log(`2. ${PEERS} peer leases put in ${Math.ceil(PEERS / TXN_BATCH)} txns (${fmt(put, 0)} ms); h1 (running) had routed them all ${fmt(routed, 0)} ms after the first txn`);
  return subnets;
}

interface JoinRun {
  readonly totalMs: number;
  readonly firstRouteMs: number;
  readonly envMs: number;
  readonly routes: number;
  readonly daemon: Daemon;
  readonly t0: number;
}

/** Starts flanneld on a host that holds no lease and no routes; measures spawn → every peer routed. */
async function joinOnce(lab: Lab, etcd: EtcdServer, host: LabHost, dir: string): Promise<JoinRun> {
  for (const [key, value] of await leasesInEtcd(etcd)) {
    if (value.includes(`"${host.ip}"`)) await etcd.etcdctl(['del', key]);
  }
  await lab.exec(host.ns, ['ip', '-4', 'route', 'flush', 'root', formatIP4Net(NETWORK)]);
  if ((await flannelRouteCount(lab, host)) !== 0) throw new Error(`${host.name} still has flannel routes after the flush`);
  const expected = (await leasesInEtcd(etcd)).size;
  const monitor = await startIpMonitor(lab, host.ns, ['route']);
  try {
    const t0 = wallMs();
    const daemon = await startFlanneld(lab, host, dir);
    let envMs: number | undefined;
    const events = await waitFor(
      () => {
        if (daemon.proc.hasExited()) return 'exited' as const;
        if (envMs === undefined && existsSync(daemon.subnetFile)) envMs = wallMs() - t0;
        const adds = routeEvents(monitor.outputFile).filter((e) => !e.deleted && inNetwork(e.dst));
        return new Set(adds.map((e) => e.dst)).size >= expected && adds;
      },
      { timeoutMs: 30_000, intervalMs: 2, what: `${host.name} to route ${expected} peers (log: ${dir}/flanneld.log)` },
    );
    if (events === 'exited') throw new Error(`flanneld on ${host.name} exited; log: ${dir}/flanneld.log`);
    const seen = new Set<string>();
    const last = events.find((e) => (seen.add(e.dst), seen.size === expected))!;
    const routes = await flannelRouteCount(lab, host);
    return { totalMs: last.atMs - t0, firstRouteMs: events[0]!.atMs - t0, envMs: envMs ?? NaN, routes, daemon, t0 };
  } finally {
    await monitor.stop();
  }
}

async function join(lab: Lab, etcd: EtcdServer, tmp: TempDir): Promise<Daemon> {
  const host = lab.hosts[3]!;
  const runs: JoinRun[] = [];
  for (let i = 0; i < JOINS; i++) {
    await runs.at(-1)?.daemon.proc.stop();
    progress.step(`join ${i + 1} of ${JOINS}: new host → all ${PEERS} peer routes`);
    runs.push(await joinOnce(lab, etcd, host, path.join(tmp.path, `${host.name}-join${i}`)));
  }
  console.log(`   join: flanneld started on fresh ${host.name} (${host.ip}) → all peer routes in its table (ip monitor), ${JOINS} runs`);
  for (const r of runs) {
    console.log(`     ${fmt(r.totalMs, 0).padStart(5)} ms  (subnet.env ${fmt(r.envMs, 0)} ms, first route ${fmt(r.firstRouteMs, 0)} ms, ${r.routes} routes)`);
  }
  console.log(`   median ${fmt(median(runs.map((r) => r.totalMs)), 0)} ms  (target ≤ 1000 ms; Go ≈ 3000 ms)`);
  const group = `host-gw, ${PEERS} peers`;
  record.add({ metric: 'join', group, series: 'start → subnet.env', value: median(runs.map((r) => r.envMs)), unit: 'ms', runs: runs.map((r) => r.envMs) });
  record.add({ metric: 'sync', group, series: 'start → all peers in kernel', value: median(runs.map((r) => r.totalMs)), unit: 'ms', runs: runs.map((r) => r.totalMs) });
  const last = runs.at(-1)!;
  console.log(`   last run's log after spawn:`);
  for (const line of logTimeline(last.daemon, last.t0)) console.log(`     ${line}`);
  return last.daemon;
}

// ---- 4. memory ----

function memory(label: string, daemon: Daemon, group?: string): void {
  const backend = backendPid(daemon);
  if (group) {
    record.add({ metric: 'rss', group, series: 'flanneld', value: rssMiB(daemon.proc.pid), unit: 'MiB' });
    record.add({ metric: 'rss', group, series: 'backend', value: rssMiB(backend), unit: 'MiB' });
  }
  console.log(
    `   ${label}: flanneld ${fmt(rssMiB(daemon.proc.pid))} MiB, backend ${fmt(rssMiB(backend))} MiB` +
      ` (targets: supervisor ≤ 100, stretch 80; backend ≤ 50; Go 35–42 in one process)`,
  );
}

// ---- 3. latency ----

interface Change {
  readonly dst: string;
  readonly ackMs: number;
  readonly routeMs: number;
}

interface Latencies {
  readonly put: Change[];
  readonly del: Change[];
}

/**
 * CHANGES times: a client in the switch namespace creates a lease (PublicIP h2) and prints when etcd
 * acknowledged it; we wait for `ip monitor` on h1 to show the route, then have it deleted and wait for
 * the route to go, before the next one.
 */
async function latency(lab: Lab, subnets: IP4Net[], tmp: TempDir, label: string): Promise<Latencies> {
  const [h1, h2] = lab.hosts;
  const commandFile = path.join(tmp.path, `commands-${label}`);
  const outputFile = path.join(tmp.path, `put-client-${label}.log`);
  writeFileSync(commandFile, '');
  const monitor = await startIpMonitor(lab, h1!.ns, ['route']);
  const client = lab.spawn(
    lab.switchNs,
    [process.execPath, '--import', 'tsx', PUT_CLIENT, `http://${lab.switchIp}:2379`, commandFile, h2!.ip, ...subnets.map(formatIP4Net)],
    { cwd: root, env: { TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.base.json') }, stdout: outputFile, stderr: outputFile },
  );
  const clientLines = () => readFileSync(outputFile, 'utf8').split('\n').slice(0, -1);
  const probe = <T>(check: () => T | undefined | false) => () => {
    if (client.hasExited()) return { failed: `put client exited: ${readFileSync(outputFile, 'utf8').trim().slice(-500)}` } as const;
    const value = check();
    return value === undefined || value === false ? undefined : { value };
  };
  const until = async <T>(check: () => T | undefined | false, what: string): Promise<T> => {
    const result = await waitFor(probe(check), { timeoutMs: 10_000, intervalMs: 1, what });
    if ('failed' in result) throw new Error(result.failed);
    return result.value;
  };
  const result: Latencies = { put: [], del: [] };
  try {
    await until(() => clientLines().includes('ready'), 'the put client to connect to etcd');
    let acks = 1; // "ready"
    let cursor = 0;
    const step = async (verb: 'put' | 'del', index: number): Promise<Change> => {
      const dst = formatIP4Net(subnets[index]!);
      appendFileSync(commandFile, `${verb} ${index}\n`);
      const ack = await until(() => clientLines()[acks], `the put client's ${verb} of ${dst}`);
      acks++;
      const [ackVerb, ackIndex, ackMs] = ack.split(' ');
      if (ackVerb !== verb || Number(ackIndex) !== index) throw new Error(`put client answered "${ack}" to "${verb} ${index}"`);
      const seen = await until(() => {
        const events = routeEvents(monitor.outputFile);
        const at = events.findIndex((e, i) => i >= cursor && e.dst === dst && e.deleted === (verb === 'del'));
        return at >= 0 && { at, event: events[at]! };
      }, `h1's route to ${dst} to be ${verb === 'put' ? 'added' : 'deleted'}`);
      cursor = seen.at + 1;
      return { dst, ackMs: Number(ackMs), routeMs: seen.event.atMs };
    };
    for (let i = 0; i < CHANGES; i++) {
      const index = i % subnets.length;
      result.put.push(await step('put', index));
      result.del.push(await step('del', index));
    }
    appendFileSync(commandFile, 'quit\n');
    await client.exited;
  } finally {
    await client.stop();
    await monitor.stop();
  }
  return result;
}

/**
 * Splits each change at the moment h1's flanneld logged it ("Subnet added/removed: …", written when
 * the watch event arrives, before it goes to the backend): etcd → supervisor, supervisor → kernel.
 */
function printLatencies(title: string, { put, del }: Latencies, watcher: Daemon, group?: string): void {
  if (group) {
    const putMs = put.map((c) => c.routeMs - c.ackMs);
    const delMs = del.map((c) => c.routeMs - c.ackMs);
    record.add({ metric: 'latency', group, series: 'put → route added, p50', value: percentile(putMs, 0.5), unit: 'ms' });
    record.add({ metric: 'latency', group, series: 'put → route added, p99', value: percentile(putMs, 0.99), unit: 'ms' });
    record.add({ metric: 'latency', group, series: 'delete → route gone, p99', value: percentile(delMs, 0.99), unit: 'ms' });
  }
  const line = (xs: number[]) => `p50 ${fmt(percentile(xs, 0.5))}, p99 ${fmt(percentile(xs, 0.99))}, max ${fmt(Math.max(...xs))} ms`;
  const logged = logLines(watcher);
  const split = (changes: Change[], verb: string) => {
    let cursor = logged.findIndex((l) => l.time >= changes[0]!.ackMs - 1_000);
    const toSupervisor: number[] = [];
    const toKernel: number[] = [];
    for (const c of changes) {
      const at = logged.findIndex((l, i) => i >= cursor && l.msg.startsWith(`Subnet ${verb}: ${c.dst} via`));
      if (at < 0) return undefined;
      cursor = at + 1;
      toSupervisor.push(logged[at]!.time - c.ackMs);
      toKernel.push(c.routeMs - logged[at]!.time);
    }
    return `ack → flanneld logged it ${line(toSupervisor)}; logged → kernel ${line(toKernel)}`;
  };
  console.log(`   ${title}`);
  console.log(`     put acknowledged → route added:   ${line(put.map((c) => c.routeMs - c.ackMs))}  (target p99 ≤ 50 ms)`);
  console.log(`       ${split(put, 'added') ?? '(no matching "Subnet added" log lines)'}`);
  console.log(`     delete acknowledged → route gone: ${line(del.map((c) => c.routeMs - c.ackMs))}`);
  console.log(`       ${split(del, 'removed') ?? '(no matching "Subnet removed" log lines)'}`);
}

async function deletePeers(lab: Lab, etcd: EtcdServer, peers: IP4Net[]): Promise<void> {
  const ops = peers.map((subnet) => ({ del: leaseKey(PREFIX, subnet) }));
  for (let i = 0; i < ops.length; i += TXN_BATCH) await etcdctlTxn(etcd, ops.slice(i, i + TXN_BATCH));
  const others = (await leasesInEtcd(etcd)).size - 1;
  await waitFor(async () => (await flannelRouteCount(lab, lab.hosts[0]!)) === others, { timeoutMs: 30_000, what: 'h1 to drop the peer routes' });
}

// ---- main ----

async function main(): Promise<void> {
  assertBuilt();
  const started = performance.now();
  const tmp = tempDir('flannel-bench-hostgw');
  const lab = await createLab({ hosts: 4 });
  try {
    const etcd = await startLabEtcd(lab);
    await etcd.etcdctl(['put', `${PREFIX}/config`, CONFIG]);
    console.log(`host-gw benchmark, lab ${lab.prefix}: ${CONFIG}`);
    const daemons = await Promise.all(lab.hosts.slice(0, 3).map((h) => startFlanneld(lab, h, path.join(tmp.path, h.name))));
    await Promise.all(daemons.map((d) => waitFor(() => d.env(), { what: `${d.host.name}'s subnet.env (log: ${d.dir}/flanneld.log)` })));
    await waitFor(async () => (await Promise.all(daemons.map((d) => flannelRouteCount(lab, d.host)))).every((n) => n === 2), {
      what: 'h1-h3 to route to each other',
    });

    await throughput(lab, daemons);

    const peers = await putPeers(lab, etcd);
    const joined = await join(lab, etcd, tmp);

    await sleep(1_000);
    console.log(`4. RSS with ${PEERS} peer leases (VmRSS)`);
    memory(`${joined.host.name} (just joined, +1 s)`, joined);
    memory(`${daemons[0]!.host.name} (running since the start)`, daemons[0]!, `host-gw, ${PEERS} peers`);

    // The lab's hosts share this machine's few CPUs, and every flanneld does work for each change:
    // only h1, the host measured, keeps running one, as if the others had CPUs of their own.
    await Promise.all([...daemons.slice(1), joined].map((d) => d.proc.stop()));
    console.log(`3. latency over ${CHANGES} changes, ip -ts monitor route on h1 (flanneld on h2-h4 stopped: ${cpus().length} CPUs shared by all hosts)`);
    const spare = (await freeSubnets(etcd)).slice(0, 10);
    progress.step(`latency: ${CHANGES} lease changes with ${PEERS} peers in etcd`);
    printLatencies(
      `with ${PEERS} peer leases in etcd (cycling ${spare.length} free subnets):`,
      await latency(lab, spare, tmp, 'many'),
      daemons[0]!,
      `host-gw, ${PEERS} peer leases`,
    );
    await deletePeers(lab, etcd, peers);
    const few = (await freeSubnets(etcd)).slice(0, 10);
    progress.step(`latency: ${CHANGES} lease changes with only the lab hosts' leases`);
    printLatencies(`with only the ${lab.hosts.length} lab hosts' leases:`, await latency(lab, few, tmp, 'few'), daemons[0]!, `host-gw, ${lab.hosts.length} leases`);
    console.log(`total ${fmt((performance.now() - started) / 1000, 0)} s`);
    record.save();
  } finally {
    await lab.destroy();
    await tmp.remove();
  }
}

await main();
