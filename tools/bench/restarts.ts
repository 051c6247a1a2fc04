// Benchmark: what the tests only check happens, measured here. In one lab run:
//  1. for each backend (host-gw, vxlan, udp): a pod pings another every 10 ms while the backend
//     process is SIGKILLed; prints the longest gap between replies and the loss;
//  2. 5 hosts started at the same instant (host-gw): time until every host routes to the other 4.
//
//   npx tsx --tsconfig tsconfig.base.json tools/bench/restarts.ts [--runs=3]   (build first: npm run build)
// The 5-host start goes to docs/bench/results.json (--results FILE, --no-record).
import path from 'node:path';
import { formatIP4Net, parseIP4Net } from '@flannel-ts/ip';
import {
  addPod,
  assertBuilt,
  createLab,
  envValue,
  pingAll,
  pingReplies,
  startFlanneld,
  startLabEtcd,
  startPing,
  tempDir,
  waitFor,
  type Daemon,
  type Lab,
  type TempDir,
} from '@flannel-ts/testing';
import { Progress, startBench } from './src/bench.js';

const BACKENDS = ['host-gw', 'vxlan', 'udp'] as const;
const { opts, record } = startBench('restarts', { runs: 3 });
const RUNS = opts.runs;
const progress = new Progress('restarts', (BACKENDS.length + 1) * RUNS);

function backendPid(d: Daemon): number {
  const started = d.messages().filter((m) => m.startsWith('Started backend'));
  return Number(/\(pid (\d+)\)/.exec(started.at(-1) ?? '')?.[1]);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function restartGaps(type: (typeof BACKENDS)[number], tmp: TempDir): Promise<void> {
  const lab = await createLab({ hosts: 2 });
  try {
    const etcd = await startLabEtcd(lab);
    await etcd.etcdctl(['put', '/coreos.com/network/config', `{"Network":"10.244.0.0/16","Backend":{"Type":"${type}"}}`]);
    const daemons = await Promise.all(lab.hosts.map((h) => startFlanneld(lab, h, path.join(tmp.path, `${type}-${h.name}`))));
    await Promise.all(daemons.map((d) => waitFor(() => d.env(), { what: `${d.host.name}'s subnet file` })));
    const pods = await Promise.all(
      daemons.map((d) => addPod(lab, d.host, { subnet: envValue(d.env(), 'FLANNEL_SUBNET')!, mtu: Number(envValue(d.env(), 'FLANNEL_MTU')) })),
    );
    await waitFor(async () => (await pingAll(lab, pods)).length === 0, { what: 'the pods to reach each other' });
    const gaps: number[] = [];
    const losses: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      progress.step(`${type}: backend SIGKILLed under a 10 ms ping, run ${run + 1} of ${RUNS}`);
      const d = daemons[0]!;
      const ping = startPing(lab, pods[1]!.ns, pods[0]!.ip, { intervalMs: 10 });
      await waitFor(() => pingReplies(ping.outputFile) >= 50, { what: 'ping to run' });
      const pid = backendPid(d);
      process.kill(pid, 'SIGKILL');
      await waitFor(() => backendPid(d) !== pid, { what: 'the backend to be restarted' });
      const after = pingReplies(ping.outputFile);
      await waitFor(() => pingReplies(ping.outputFile) >= after + 100, { what: '100 replies after the restart' });
      const stats = await ping.stop();
      gaps.push(stats.maxGapMs);
      losses.push(stats.transmitted - stats.received);
    }
    console.log(
      `  ${type.padEnd(8)} longest gap ${gaps.map((g) => g.toFixed(0)).join(', ')} ms (median ${median(gaps).toFixed(0)}), lost pings ${losses.join(', ')}`,
    );
  } finally {
    await lab.destroy();
  }
}

async function simultaneousStart(tmp: TempDir, run: number): Promise<number> {
  const lab: Lab = await createLab({ hosts: 5 });
  try {
    const etcd = await startLabEtcd(lab);
    await etcd.etcdctl(['put', '/coreos.com/network/config', '{"Network":"10.244.0.0/16","SubnetLen":26,"Backend":{"Type":"host-gw"}}']);
    const started = performance.now();
    const ds = await Promise.all(lab.hosts.map((h) => startFlanneld(lab, h, path.join(tmp.path, `five-${run}-${h.name}`))));
    const subnet = (d: Daemon) => formatIP4Net(parseIP4Net(envValue(d.env(), 'FLANNEL_SUBNET')!));
    await waitFor(
      async () => {
        if (ds.some((d) => !d.env())) return false;
        for (const d of ds) {
          const table = (await lab.exec(d.host.ns, ['ip', '-4', 'route'])).stdout;
          for (const peer of ds) if (peer !== d && !table.includes(`${subnet(peer)} via ${peer.host.ip} dev eth0`)) return false;
        }
        return true;
      },
      { intervalMs: 5, what: 'all 20 routes' },
    );
    return performance.now() - started;
  } finally {
    await lab.destroy();
  }
}

async function main(): Promise<void> {
  assertBuilt();
  const tmp = await tempDir('bench-restarts');
  try {
    console.log(`1. backend SIGKILLed under a 10 ms ping, ${RUNS} runs each (2-host lab)`);
    for (const type of BACKENDS) await restartGaps(type, tmp);
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      progress.step(`5 host-gw hosts started at once, run ${run + 1} of ${RUNS}`);
      times.push(await simultaneousStart(tmp, run));
    }
    console.log(`2. 5 host-gw hosts started at once → every host routes to the other 4: ${times.map((t) => t.toFixed(0)).join(', ')} ms (median ${median(times).toFixed(0)})`);
    record.add({ metric: 'sync', group: 'host-gw, 5 hosts at once', series: 'start → all peers in kernel', value: median(times), unit: 'ms', runs: times });
    record.save();
  } finally {
    await tmp.remove();
  }
}

await main();
