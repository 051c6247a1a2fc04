// Benchmark: flanneld start → subnet.env written, with etcd one veth hop away in the lab, and
// flanneld's idle RSS. Prints medians over --runs starts (default 10) and where start-up time goes;
// the figures go to docs/bench/results.json (--results FILE, --no-record).
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLab, startLabEtcd, tempDir, waitFor } from '@flannel-ts/testing';
import { Progress, startBench } from './src/bench.js';

const { opts, record } = startBench('startup', { runs: 10 });
const RUNS = opts.runs;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const flanneld = path.join(root, 'dist/apps/supervisor/flanneld');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function logTimes(logFile: string): Map<string, number> {
  const times = new Map<string, number>();
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const { msg, time } = JSON.parse(line) as { msg: string; time: number };
    const phase = ['Using interface', 'Found network config', 'Allocated lease', 'Found lease', 'Wrote subnet file'].find((p) => msg.startsWith(p));
    if (phase && !times.has(phase)) times.set(phase, time);
  }
  return times;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function main(): Promise<void> {
  if (!existsSync(flanneld)) throw new Error(`${flanneld} is missing: run "npm run build" first`);
  const tmp = await tempDir('flannel-bench');
  const lab = await createLab({ hosts: 1 });
  try {
    const etcd = await startLabEtcd(lab);
    await etcd.etcdctl(['put', '/coreos.com/network/config', '{"Network":"10.244.0.0/16","Backend":{"Type":"alloc"}}']);
    const host = lab.hosts[0]!;
    const totals: number[] = [];
    const phases = new Map<string, number[]>();
    const rss: number[] = [];
    const progress = new Progress('startup', RUNS);
    for (let i = 0; i < RUNS; i++) {
      progress.step('flanneld spawn → subnet.env');
      const dir = path.join(tmp.path, `run${i}`);
      await mkdir(dir, { recursive: true });
      const subnetFile = path.join(dir, 'subnet.env');
      const logFile = path.join(dir, 'log');
      const started = Date.now();
      const t0 = performance.now();
      const proc = lab.spawn(host.ns, [flanneld, `--etcd-endpoints=http://${lab.switchIp}:2379`, `--subnet-file=${subnetFile}`, `--state-dir=${dir}/state`], { stdout: logFile, stderr: logFile });
      await waitFor(() => existsSync(subnetFile), { intervalMs: 1, what: 'subnet.env' });
      totals.push(performance.now() - t0);
      for (const [phase, time] of logTimes(logFile)) {
        const list = phases.get(phase) ?? [];
        list.push(time - started);
        phases.set(phase, list);
      }
      if (i === RUNS - 1) {
        // Idle: give it a moment past start-up (watch established, GC settled).
        await waitFor(() => readFileSync(logFile, 'utf8').includes('Watching for new subnet leases'), { what: 'watch' });
        for (let s = 0; s < 5; s++) {
          await new Promise((r) => setTimeout(r, 400));
          rss.push(rssMiB(proc.pid));
        }
      }
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    }
    console.log(`flanneld start → subnet.env written (${RUNS} runs, etcd in the lab's switch namespace)`);
    console.log(`  median ${median(totals).toFixed(0)} ms, min ${Math.min(...totals).toFixed(0)} ms, max ${Math.max(...totals).toFixed(0)} ms`);
    console.log('  median time of each log line after spawn:');
    for (const [phase, times] of phases) console.log(`    ${median(times).toFixed(0).padStart(5)} ms  ${phase}`);
    console.log(`flanneld idle RSS: ${median(rss).toFixed(1)} MiB`);
    const group = 'alloc backend, 0 peers';
    record.add({ metric: 'join', group, series: 'start → subnet.env', value: median(totals), unit: 'ms', runs: totals });
    record.add({ metric: 'rss', group: 'alloc backend, idle', series: 'flanneld', value: median(rss), unit: 'MiB', runs: rss });
    record.save();
  } finally {
    await lab.destroy();
    await tmp.remove();
  }
}

await main();
