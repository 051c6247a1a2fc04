// Benchmark: what the health listener costs. flanneld (alloc) takes 1,000 lease changes applied
// through etcd (500 peers put, then deleted, in transactions of 100), once with --healthz-port while a
// poller inside the namespace GETs /readyz and /metrics back to back, once without. Prints the
// latencies of both endpoints (p50/p99), the time to apply the changes, and flanneld's RSS; a third
// run has the listener on but nobody polling, to tell the listener's cost from the scrapes'.
//
//   npx tsx --tsconfig tsconfig.base.json tools/bench/health.ts        (build first: npm run build)
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  assertBuilt,
  createLab,
  etcdctlTxn,
  startFlanneld,
  startLabEtcd,
  tempDir,
  waitFor,
  type Daemon,
  type EtcdServer,
  type Lab,
  type TempDir,
} from '@flannel-ts/testing';

const POLLER = fileURLToPath(new URL('./health-poller.ts', import.meta.url));
const PEERS = 500;
const BATCH = 100;
const PORT = 9101;
const RUNS = Number(process.env.RUNS ?? 2);

const key = (i: number) => `/coreos.com/network/subnets/10.${100 + Math.floor(i / 250)}.${i % 250}.0-24`;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;

/** VmRSS and VmHWM (peak) of a process, in kB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

async function applyChanges(etcd: EtcdServer, d: Daemon): Promise<number> {
  const count = (prefix: string) => d.messages().filter((m) => m.startsWith(prefix)).length;
  const started = performance.now();
  for (let b = 0; b < PEERS / BATCH; b++) {
    await etcdctlTxn(etcd, Array.from({ length: BATCH }, (_, j) => ({ put: [key(b * BATCH + j), `{"PublicIP":"198.51.100.${10 + (j % 200)}"}`] as [string, string] })));
  }
  await waitFor(() => count('Subnet added: 10.1') >= PEERS, { intervalMs: 5, what: `${PEERS} peers added` });
  for (let b = 0; b < PEERS / BATCH; b++) {
    await etcdctlTxn(etcd, Array.from({ length: BATCH }, (_, j) => ({ del: key(b * BATCH + j) })));
  }
  await waitFor(() => count('Subnet removed: 10.1') >= PEERS, { intervalMs: 5, what: `${PEERS} peers removed` });
  return performance.now() - started;
}

type Mode = 'on, polled' | 'on' | 'off';

async function run(lab: Lab, etcd: EtcdServer, tmp: TempDir, mode: Mode, runNo: number): Promise<void> {
  await etcd.etcdctl(['del', '--prefix', '/coreos.com/network/subnets/']);
  const host = lab.hosts[0]!;
  const health = mode !== 'off';
  const dir = path.join(tmp.path, `${runNo}-${mode.replace(/\W+/g, '-')}`);
  const d = await startFlanneld(lab, host, dir, { args: health ? [`--healthz-port=${PORT}`] : [] });
  try {
    await waitFor(() => d.env(), { what: 'the subnet file' });
    const outFile = path.join(dir, 'latencies.json');
    const pollerLog = path.join(dir, 'poller.log');
    const poller =
      mode === 'on, polled'
        ? lab.spawn(host.ns, [process.execPath, '--import', 'tsx', POLLER, `http://${host.ip}:${PORT}`, outFile], { stdout: pollerLog })
        : undefined;
    if (poller) await waitFor(() => existsSync(pollerLog) && readFileSync(pollerLog, 'utf8').includes('polling'), { what: 'the poller polling' });
    const tookMs = await applyChanges(etcd, d);
    const mem = memoryOf(d.proc.pid);
    console.log(`  health ${mode.padEnd(10)}: ${2 * PEERS} changes applied in ${tookMs.toFixed(0)} ms; flanneld RSS ${mib(mem.rss)} (peak ${mib(mem.peak)})`);
    if (poller) {
      poller.kill('SIGTERM');
      await poller.exited;
      const latencies = JSON.parse(readFileSync(outFile, 'utf8')) as Record<'readyz' | 'metrics', number[]>;
      for (const [endpoint, xs] of Object.entries(latencies)) {
        console.log(`    /${endpoint.padEnd(7)} ${xs.length} requests: p50 ${percentile(xs, 50).toFixed(2)} ms, p99 ${percentile(xs, 99).toFixed(2)} ms`);
      }
    }
  } finally {
    await d.proc.stop();
  }
}

async function main(): Promise<void> {
  assertBuilt();
  const tmp = await tempDir('bench-health');
  const lab = await createLab({ hosts: 1 });
  try {
    const etcd = await startLabEtcd(lab);
    await etcd.etcdctl(['put', '/coreos.com/network/config', '{"Network":"10.0.0.0/8","SubnetMin":"10.244.0.0","SubnetMax":"10.244.255.0","Backend":{"Type":"alloc"}}']);
    console.log(`flanneld (alloc), ${PEERS} peer leases put then deleted (${2 * PEERS} changes):`);
    for (let runNo = 0; runNo < RUNS; runNo++) {
      for (const mode of ['on, polled', 'on', 'off'] as const) await run(lab, etcd, tmp, mode, runNo);
    }
  } finally {
    await lab.destroy();
    await tmp.remove();
  }
}

await main();
