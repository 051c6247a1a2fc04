// Benchmark: the udp backend's datapath against the bare underlay, on a 2-host lab.
//
//   npx tsx --tsconfig tsconfig.base.json tools/bench/udp.ts        (build first: npm run build)
//
// In one run, alternating --rounds times (default 3): host→host iperf3 over the bare underlay, then
// pod→pod over udp with offloads, then pod→pod over udp on the plain path, each with 1 and 4
// streams for --seconds (default 4). Prints medians: Gbit/s, the ratio to the bare path, the
// backends' CPU per Gbit/s (utime+stime of both backend processes, and the user/kernel split of
// the busy threads), the sender's busy udp-tx threads (how many queues carried the streams), TUN
// drops (flannel0 tx_dropped at the sender), UDP receive-buffer drops and TCP retransmits. Each
// round also pings (--pings, default 200, every 10 ms) over each path and prints the median and
// p99 round-trip time. Then, with CALLGRIND=1 (default) it builds the C++ packet-loop harness
// (apps/backend-udp/native/harness) and shows where its instructions go under callgrind.
// UDP_BACKEND=<path of flannel-backend-udp> benchmarks that build instead of dist/'s.
// The ratios go to docs/bench/results.json (--results FILE, --no-record).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import {
  addPod,
  createLab,
  iperf3Client,
  iperf3Server,
  tempDir,
  waitFor,
  type Lab,
  type LabProcess,
  type Pod,
  type TempDir,
} from '@flannel-ts/testing';
import { Progress, startBench } from './src/bench.js';

const { opts, record } = startBench('udp', { rounds: 3, seconds: 4, pings: 200 });
const ROUNDS = opts.rounds;
const SECONDS = opts.seconds;
const CALLGRIND = process.env.CALLGRIND !== '0';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// UDP_BACKEND=<binary> measures another build (say, main's) with this same bench.
const backend = process.env.UDP_BACKEND ?? path.join(root, 'dist/apps/backend-udp/flannel-backend-udp');
const CLK_TCK = Number((await $({ quiet: true })`getconf CLK_TCK`).stdout.trim());
const SUBNETS = ['10.244.1.0/24', '10.244.2.0/24'];

type Mode = 'bare' | 'offloads' | 'plain';
const MODES: Mode[] = ['bare', 'offloads', 'plain'];
const STREAMS = [1, 4];

interface Sample {
  gbps: number;
  retransmits: number;
  /** Backend CPU (both hosts), in CPU-seconds per second, per Gbit/s. */
  cpuPerGbps?: number;
  /** Of the sender's tun→udp and the receiver's udp→tun threads: the share spent in the kernel. */
  kernelShare?: number;
  tunDrops?: number;
  udpRcvbufDrops?: number;
  /** The sender's udp-tx threads at work (≥ 0.03 CPU-seconds per second). */
  busyTxThreads?: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

/** Round-trip times (ms) of `count` pings from `ns` to `target`, one every 10 ms. */
async function pingRtts(lab: Lab, ns: string, target: string, count: number): Promise<number[]> {
  const out = await lab.exec(ns, ['ping', '-n', '-c', String(count), '-i', '0.01', '-W', '1', target]);
  return [...out.stdout.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
}

interface CpuTime {
  user: number;
  system: number;
}

/** utime and stime (seconds) from a /proc stat file. */
function cpuOf(statFile: string): CpuTime {
  const fields = readFileSync(statFile, 'utf8').split(') ')[1]!.split(' ');
  return { user: Number(fields[11]) / CLK_TCK, system: Number(fields[12]) / CLK_TCK };
}

/** utime and stime (seconds) of each thread of `pid` whose name starts with `prefix`, by thread id. */
function threadCpu(pid: number, prefix: string): Map<string, CpuTime> {
  const out = new Map<string, CpuTime>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').startsWith(prefix)) out.set(tid, cpuOf(`/proc/${pid}/task/${tid}/stat`));
  }
  return out;
}

/** utime and stime (seconds) of a process, or of its threads whose name starts with `prefix`. */
function cpu(pid: number, prefix?: string): CpuTime {
  if (prefix === undefined) return cpuOf(`/proc/${pid}/stat`);
  const total = { user: 0, system: 0 };
  for (const t of threadCpu(pid, prefix).values()) {
    total.user += t.user;
    total.system += t.system;
  }
  return total;
}

async function counter(lab: Lab, ns: string, file: string): Promise<number> {
  const out = await lab.exec(ns, ['cat', file]);
  return Number(out.stdout.trim()) || 0;
}

async function udpRcvbufErrors(lab: Lab, ns: string): Promise<number> {
  const snmp = (await lab.exec(ns, ['cat', '/proc/net/snmp'])).stdout.split('\n').filter((l) => l.startsWith('Udp:'));
  const names = snmp[0]!.split(/\s+/);
  const values = snmp[1]!.split(/\s+/);
  return Number(values[names.indexOf('RcvbufErrors')]);
}

class Backends {
  private procs: LabProcess[] = [];
  pids: number[] = [];

  constructor(
    private readonly lab: Lab,
    private readonly tmp: TempDir,
  ) {}

  async start(offloads: boolean): Promise<void> {
    const dir = path.join(this.tmp.path, `run-${Date.now()}`);
    await mkdir(dir, { recursive: true });
    for (const i of [0, 1]) {
      const other = 1 - i;
      const out = path.join(dir, `h${i}.out`);
      this.procs.push(
        this.lab.spawn(
          this.lab.hosts[i]!.ns,
          [backend, '-network', '10.244.0.0/16', '-subnet', SUBNETS[i]!, '-peer', `${SUBNETS[other]}=${this.lab.hosts[other]!.ip}`, '-iface', 'eth0', '-state-dir', path.join(dir, `s${i}`), '-backend-config', JSON.stringify({ Type: 'udp', Offloads: offloads })],
          { stdout: out, stderr: path.join(dir, `h${i}.err`) },
        ),
      );
      await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('"ready"'), { what: `backend on h${i + 1}` });
    }
    this.pids = this.procs.map((p) => p.pid);
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.stop()));
    this.procs = [];
    this.pids = [];
  }
}

async function measure(lab: Lab, pods: Pod[], backends: Backends, mode: Mode, streams: number): Promise<Sample> {
  const [h1, h2] = [lab.hosts[0]!, lab.hosts[1]!];
  const [clientNs, serverNs, target] = mode === 'bare' ? [h1.ns, h2.ns, h2.ip] : [pods[0]!.ns, pods[1]!.ns, pods[1]!.ip];
  const before = backends.pids.map((pid) => cpu(pid));
  const threadsBefore = backends.pids.length ? [cpu(backends.pids[0]!, 'udp-tx-'), cpu(backends.pids[1]!, 'udp-rx-')] : [];
  const txBefore = backends.pids.length ? threadCpu(backends.pids[0]!, 'udp-tx-') : new Map<string, CpuTime>();
  const dropsBefore = mode === 'bare' ? 0 : await counter(lab, h1.ns, '/sys/class/net/flannel0/statistics/tx_dropped');
  const rcvbufBefore = await udpRcvbufErrors(lab, h2.ns);
  const server = await iperf3Server(lab, serverNs);
  const started = performance.now();
  const result = await iperf3Client(lab, clientNs, target, { seconds: SECONDS, streams });
  const elapsed = (performance.now() - started) / 1000;
  await server.exited;
  const gbps = result.bitsPerSecond / 1e9;
  const sample: Sample = { gbps, retransmits: result.retransmits };
  if (mode !== 'bare') {
    const used = backends.pids.map((pid, i) => {
      const now = cpu(pid);
      return now.user + now.system - before[i]!.user - before[i]!.system;
    });
    sample.cpuPerGbps = used.reduce((a, b) => a + b, 0) / elapsed / gbps;
    const threadsAfter = [cpu(backends.pids[0]!, 'udp-tx-'), cpu(backends.pids[1]!, 'udp-rx-')];
    const user = threadsAfter.reduce((a, t, i) => a + t.user - threadsBefore[i]!.user, 0);
    const system = threadsAfter.reduce((a, t, i) => a + t.system - threadsBefore[i]!.system, 0);
    sample.kernelShare = system / (user + system);
    const txAfter = threadCpu(backends.pids[0]!, 'udp-tx-');
    const busy = (now: CpuTime, then: CpuTime | undefined) => (now.user + now.system - (then ? then.user + then.system : 0)) / elapsed >= 0.03;
    sample.busyTxThreads = [...txAfter].filter(([tid, now]) => busy(now, txBefore.get(tid))).length;
    sample.tunDrops = (await counter(lab, h1.ns, '/sys/class/net/flannel0/statistics/tx_dropped')) - dropsBefore;
  }
  sample.udpRcvbufDrops = (await udpRcvbufErrors(lab, h2.ns)) - rcvbufBefore;
  return sample;
}

// Only the packet loop's own calls count (--toggle-collect): the harness's packet building and its
// stand-in for the kernel's copies are left out.
const LOOP_FUNCTIONS = ['udpdp::TxProcessor::HandleRead*', 'udpdp::RxProcessor::HandleMessage*', 'udpdp::RxProcessor::EndBatch*', 'udpdp::SendBatch::Finish*'];

async function callgrindReport(tmp: TempDir): Promise<void> {
  const harnessDir = path.join(root, 'apps/backend-udp/native/harness');
  const binary = path.join(tmp.path, 'loop-harness');
  await $({ stdio: 'inherit' })`make -s -C ${harnessDir} OUT=${binary}`;
  for (const mode of ['offloads', 'plain']) {
    const out = path.join(tmp.path, `callgrind.${mode}`);
    const toggles = LOOP_FUNCTIONS.map((f) => `--toggle-collect=${f}`);
    const printed = (await $({ quiet: true, stdio: ['ignore', 'pipe', 'ignore'] })`valgrind --tool=callgrind --callgrind-out-file=${out} ${toggles} ${binary} ${mode}`).stdout;
    const [, payloadBytes, writes, datagrams] = /(\d+) bytes of TCP payload in (\d+) TUN writes \((\d+) datagrams\)/.exec(printed) ?? [];
    const annotated = (await $({ quiet: true })`callgrind_annotate --inclusive=no ${out}`).stdout.split('\n');
    const total = Number(/([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS/.exec(annotated.join('\n'))?.[1]?.replaceAll(',', '') ?? NaN);
    const bytes = Number(payloadBytes);
    console.log(`\nPacket loop in user space, ${mode} (callgrind on native/harness: both directions, kernel not included):`);
    console.log(`  ${(total / 1e6).toFixed(1)} M instructions for ${(bytes / 1e6).toFixed(0)} MB in ${datagrams} datagrams / ${writes} TUN writes: ${(total / bytes).toFixed(2)} per byte, ${(total / Number(datagrams)).toFixed(0)} per datagram`);
    const rows = annotated.filter((l) => /^\s*[\d,]+ \(\s*[\d.]+%\)\s+\S+:\S/.test(l)).slice(0, 8);
    for (const row of rows) {
      const [, count, share, where] = /^\s*([\d,]+) \(\s*([\d.]+)%\)\s+(.*)$/.exec(row)!;
      const [file, fn] = [where!.slice(0, where!.indexOf(':')), where!.slice(where!.indexOf(':') + 1)];
      console.log(`  ${share!.padStart(5)}%  ${count!.padStart(12)}  ${fn!.replaceAll('(anonymous namespace)::', '').replace(/\(.*$/, '').replace(/\s*\[.*$/, '')}  (${path.basename(file!)})`);
    }
  }
}

async function main(): Promise<void> {
  if (!existsSync(backend)) throw new Error(`${backend} is missing: run "npm run build" first`);
  const tmp = await tempDir('udp-bench');
  const lab = await createLab({ hosts: 2 });
  const backends = new Backends(lab, tmp);
  const samples = new Map<string, Sample[]>();
  const rtts = new Map<Mode, number[]>();
  try {
    const pods = await Promise.all([0, 1].map((i) => addPod(lab, lab.hosts[i]!, { subnet: SUBNETS[i]!.replace('.0/24', '.1/24'), mtu: 1472 })));
    const progress = new Progress('udp', ROUNDS * MODES.length * STREAMS.length);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of MODES) {
        if (mode !== 'bare') await backends.start(mode === 'offloads');
        for (const streams of STREAMS) {
          progress.step(`round ${round} of ${ROUNDS}: iperf3 ${mode === 'bare' ? 'host→host, bare underlay' : `pod→pod over udp, ${mode}`}, ${streams} stream${streams > 1 ? 's' : ''}`);
          const sample = await measure(lab, pods, backends, mode, streams);
          const key = `${mode}/${streams}`;
          samples.set(key, [...(samples.get(key) ?? []), sample]);
          console.error(`round ${round} ${key}: ${sample.gbps.toFixed(2)} Gbit/s, ${sample.retransmits} retransmits`);
        }
        const [clientNs, target] = mode === 'bare' ? [lab.hosts[0]!.ns, lab.hosts[1]!.ip] : [pods[0]!.ns, pods[1]!.ip];
        rtts.set(mode, [...(rtts.get(mode) ?? []), ...(await pingRtts(lab, clientNs, target, opts.pings))]);
        await backends.stop();
      }
    }

    const med = (key: string, pick: (s: Sample) => number | undefined) => median((samples.get(key) ?? []).map((s) => pick(s) ?? NaN));
    console.log(`\nudp datapath vs bare underlay: 2-host lab, iperf3 ${SECONDS} s, medians of ${ROUNDS} alternating rounds, ${readdirSync('/sys/devices/system/cpu').filter((d) => /^cpu\d+$/.test(d)).length} CPUs`);
    console.log('  path       streams  Gbit/s  ratio   CPU s/s per Gbit/s  kernel share  busy tx threads  TUN drops  UDP rcvbuf drops  retransmits');
    for (const mode of MODES) {
      for (const streams of STREAMS) {
        const key = `${mode}/${streams}`;
        const gbps = med(key, (s) => s.gbps);
        const ratio = gbps / med(`bare/${streams}`, (s) => s.gbps);
        const cell = (v: number, digits: number) => (Number.isNaN(v) ? '-' : v.toFixed(digits));
        const label = `${streams} stream${streams > 1 ? 's' : ''}`;
        const runs = (samples.get(key) ?? []).map((s) => s.gbps);
        record.add({ metric: 'throughput', group: mode === 'bare' ? 'bare veth' : `udp (${mode})`, series: label, value: gbps, unit: 'Gbit/s', runs });
        if (mode !== 'bare') record.add({ metric: 'throughput-ratio', group: `udp (${mode})`, series: label, value: ratio, unit: 'ratio' });
        console.log(
          `  ${mode.padEnd(10)} ${String(streams).padStart(7)}  ${gbps.toFixed(2).padStart(6)}  ${ratio.toFixed(3).padStart(5)}  ${cell(med(key, (s) => s.cpuPerGbps), 3).padStart(18)}  ${cell(med(key, (s) => s.kernelShare), 2).padStart(12)}  ${cell(med(key, (s) => s.busyTxThreads), 0).padStart(15)}  ${cell(med(key, (s) => s.tunDrops), 0).padStart(9)}  ${cell(med(key, (s) => s.udpRcvbufDrops), 0).padStart(16)}  ${cell(med(key, (s) => s.retransmits), 0).padStart(11)}`,
        );
      }
    }
    console.log('  targets: offloads ≥ 0.40 (1 stream) / ≥ 0.20 (4 streams); plain ≥ 0.08 / ≥ 0.04');
    console.log(`\nping round trip, ${opts.pings} pings every 10 ms per round (${ROUNDS} rounds), host→host bare or pod→pod over udp:`);
    console.log('  path       replies  median ms  p99 ms');
    for (const mode of MODES) {
      const times = rtts.get(mode) ?? [];
      if (times.length === 0) continue;
      const [mid, p99] = [median(times), percentile(times, 0.99)];
      const group = mode === 'bare' ? 'bare veth' : `udp (${mode})`;
      record.add({ metric: 'ping-rtt', group, series: 'median', value: mid, unit: 'ms' });
      record.add({ metric: 'ping-rtt', group, series: 'p99', value: p99, unit: 'ms' });
      console.log(`  ${mode.padEnd(10)} ${String(times.length).padStart(7)}  ${mid.toFixed(3).padStart(9)}  ${p99.toFixed(3).padStart(6)}`);
    }
    console.log(`  load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    record.save();
    if (CALLGRIND) await callgrindReport(tmp);
  } finally {
    await backends.stop();
    await lab.destroy();
    await tmp.remove();
  }
}

await main();
