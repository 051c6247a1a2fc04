// Benchmark: how long a host takes to join — flanneld exec → subnet.env written — with a forked
// backend (host-gw, vxlan, udp), etcd one veth hop away in a 2-host lab. Alternates the backends
// --rounds times (default 5). Each round starts flanneld twice per backend: "warm", the state
// directory remembering the last run's backend type so the backend is forked before etcd answers
// and holding the code cache its last run saved (a restart, a reboot with /var/lib kept), and
// "cold", a new state directory (a first boot). The lease stays in etcd between starts, as on a
// restarting host. Prints medians, the ratio to Go flanneld v0.20.2's 136 ms on this lab
// (measured when issue 13 was filed; Go is not on this machine), the median -v=2 timeline of each,
// and the floor: `node -e 0`, `flanneld --version`, a backend's `--help`. Figures go to
// docs/bench/results.json (--results FILE, --no-record).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertBuilt, createLab, FLANNELD, startFlanneld, startLabEtcd, tempDir, waitFor, type Daemon } from '@flannel-ts/testing';
import { Progress, startBench } from './src/bench.js';

const { opts, record } = startBench('join', { rounds: 5 });
const GO_JOIN_MS = 136;
const TYPES = ['host-gw', 'vxlan', 'udp'] as const;
const STARTS = ['warm', 'cold'] as const;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;

/** Median wall time of a command, in ms. */
function commandMs(argv: readonly string[], runs = 7): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** The phases of the -v=2 "Start-up timeline" line: phase → ms since exec. */
function timeline(d: Daemon): Map<string, number> {
  const line = d.messages().find((m) => m.startsWith('Start-up timeline'));
  const phases = new Map<string, number>();
  for (const part of line?.split(': ')[1]?.split(', ') ?? []) {
    const at = part.lastIndexOf(' ');
    phases.set(part.slice(0, at), Number(part.slice(at + 1)));
  }
  return phases;
}

async function main(): Promise<void> {
  assertBuilt();
  const tmp = await tempDir('flannel-join');
  const lab = await createLab({ hosts: 2 });
  try {
    const etcd = await startLabEtcd(lab);
    const host = lab.hosts[0]!;
    const totals = new Map<string, number[]>();
    const phases = new Map<string, Map<string, number[]>>();
    const progress = new Progress('join', opts.rounds * TYPES.length * STARTS.length);
    for (let round = 0; round < opts.rounds; round++) {
      for (const type of TYPES) {
        const prefix = `/bench/${type}/network`;
        if (round === 0) await etcd.etcdctl(['put', `${prefix}/config`, JSON.stringify({ Network: '10.244.0.0/16', Backend: { Type: type } })]);
        for (const start of STARTS) {
          progress.step(`${type}, ${start}`);
          const dir = path.join(tmp.path, type);
          // Cold: a state directory that never saw this daemon. Warm: the one of the last start.
          if (start === 'cold') await rm(path.join(dir, 'state'), { recursive: true, force: true });
          await rm(path.join(dir, 'run'), { recursive: true, force: true });
          await rm(path.join(dir, 'flanneld.log'), { force: true });
          const t0 = performance.now();
          const d = await startFlanneld(lab, host, dir, { args: [`--etcd-prefix=${prefix}`, '-v=2'] });
          await waitFor(() => existsSync(d.subnetFile), { intervalMs: 1, what: `${type} subnet.env` }).catch((err: Error) => {
            throw new Error(`${err.message}; flanneld's log:\n${d.messages().join('\n')}`);
          });
          const ms = performance.now() - t0;
          // As a daemon that ran for a while would, each start leaves its code cache for the next (a
          // warm start compiles from it, a cold one from the build's).
          await waitFor(() => d.messages().some((m) => m.startsWith('Saved the code cache') || m.startsWith(`Code compiled from the code cache ${path.join(dir, 'state')}`)), {
            what: `${type}: the code cache saved or used`,
          });
          const exit = await d.proc.stop();
          if (exit.code !== 0) throw new Error(`flanneld (${type}) exited ${JSON.stringify(exit)}:\n${readFileSync(path.join(dir, 'flanneld.log'), 'utf8')}`);
          const key = `${type}, ${start}`;
          // The first round warms the page cache and etcd; it is not counted.
          if (round > 0 || opts.rounds === 1) {
            (totals.get(key) ?? totals.set(key, []).get(key)!).push(ms);
            const byPhase = phases.get(key) ?? phases.set(key, new Map()).get(key)!;
            // Read once the daemon stopped: the line is written just after subnet.env.
            for (const [phase, at] of timeline(d)) (byPhase.get(phase) ?? byPhase.set(phase, []).get(phase)!).push(at);
          }
        }
      }
    }

    const floor = {
      node: commandMs(['node', '-e', '0']),
      version: commandMs([FLANNELD, '--version']),
      backendHelp: commandMs([path.join(root, 'dist/apps/backend-hostgw/flannel-backend-hostgw'), '--help']),
    };
    console.log(`flanneld exec → subnet.env, ${opts.rounds} rounds alternating (the first not counted); Go flanneld v0.20.2: ${GO_JOIN_MS} ms on this lab`);
    for (const type of TYPES) {
      for (const start of STARTS) {
        const key = `${type}, ${start}`;
        const times = totals.get(key)!;
        const ms = median(times);
        console.log(`  ${key.padEnd(14)} median ${ms.toFixed(0).padStart(4)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}) = ${(ms / GO_JOIN_MS).toFixed(2)}× Go`);
        const byPhase = phases.get(key)!;
        const line = [...byPhase].map(([phase, ats]) => [phase, median(ats)] as const).sort((a, b) => a[1] - b[1]);
        // An older flanneld (no -v=2 timeline) can be measured too.
        if (line.length > 0) console.log(`    timeline (ms since exec): ${line.map(([phase, at]) => `${phase} ${at.toFixed(0)}`).join(', ')}`);
        record.add({ metric: 'join', group: `${type}, ${start} start`, series: 'exec → subnet.env', value: ms, unit: 'ms', runs: times });
      }
    }
    console.log(`  floor: node -e 0 ${floor.node.toFixed(0)} ms, flanneld --version ${floor.version.toFixed(0)} ms, flannel-backend-hostgw --help ${floor.backendHelp.toFixed(0)} ms`);
    record.save();
  } finally {
    await lab.destroy();
    await tmp.remove();
  }
}

await main();
