// Benchmark: what flanneld and its backend hold with --peers leases (default 1,000), host-gw, vxlan
// and udp, on a 3-host lab. After every peer is in the kernel and the daemon has idled --settle ms,
// prints per process: VmRSS, VmHWM, how much of the RSS is anonymous memory (heap, stacks) versus
// file pages (the node binary, addons). Figures go to docs/bench/results.json (--results, --no-record).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ip4Net, parseIP4, sizeOf } from '@flannel-ts/ip';
import { encodeLeaseAttrs, leaseKey } from '@flannel-ts/subnet';
import { assertBuilt, createLab, etcdctlTxn, startFlanneld, startLabEtcd, tempDir, waitFor, type Daemon } from '@flannel-ts/testing';
import { Progress, startBench } from './src/bench.js';

const { opts, record } = startBench('memory', { peers: 1_000, settle: 3_000 });
const TYPES = ['host-gw', 'vxlan', 'udp'] as const;
const TXN_BATCH = 125;
const SUBNET_LEN = opts.peers > 1_000 ? 24 : 26;
const NETWORK = opts.peers > 1_000 ? '10.0.0.0/8' : '10.244.0.0/16';

interface Memory {
  readonly rss: number;
  readonly hwm: number;
  readonly anon: number;
  readonly file: number;
}

const kib = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;

function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return { rss: kib(status, 'VmRSS'), hwm: kib(status, 'VmHWM'), anon: kib(rollup, 'Anonymous'), file: kib(status, 'RssFile') };
}

/** Resident KiB by mapping kind: the malloc heap, thread stacks, other anonymous maps (V8's heap), files. */
function mappingsOf(pid: number): string {
  const sums = new Map<string, number>();
  let kind = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const map = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (map) {
      const name = map[1]!;
      kind = name === '' ? 'anonymous maps' : name.startsWith('[') ? name : path.basename(name);
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) sums.set(kind, (sums.get(kind) ?? 0) + Number(rss[1]));
  }
  return [...sums]
    .filter(([, kb]) => kb >= 256)
    .sort((a, b) => b[1] - a[1])
    .map(([name, kb]) => `${name} ${(kb / 1024).toFixed(1)}`)
    .join(', ');
}

function backendPid(d: Daemon): number {
  const started = d.messages().findLast((m) => m.startsWith('Started backend'));
  return Number(/\(pid (\d+)\)/.exec(started ?? '')?.[1]);
}

function flannelRoutes(ns: string): number {
  const out = execFileSync('ip', ['-n', ns, '-4', 'route', 'show', 'proto', 'boot'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => /^10\./.test(l)).length;
}

/** udp keeps its peers in its own table: one route to the network through flannel0. */
function udpRoute(ns: string): boolean {
  const out = execFileSync('ip', ['-n', ns, '-4', 'route', 'show', NETWORK], { encoding: 'utf8' });
  return out.includes('dev flannel0');
}

async function main(): Promise<void> {
  assertBuilt();
  const tmp = await tempDir('flannel-memory');
  const lab = await createLab({ hosts: 3 });
  try {
    const etcd = await startLabEtcd(lab);
    const [h1, h2, h3] = lab.hosts;
    const progress = new Progress('memory', TYPES.length);
    for (const type of TYPES) {
      progress.step(`${type}, ${opts.peers} peers`);
      const prefix = `/bench/${type}/network`;
      const [net, len] = NETWORK.split('/');
      const network = ip4Net(parseIP4(net!), Number(len));
      await etcd.etcdctl(['put', `${prefix}/config`, JSON.stringify({ Network: NETWORK, SubnetLen: SUBNET_LEN, Backend: { Type: type } })]);
      const step = sizeOf(SUBNET_LEN);
      const ops = Array.from({ length: opts.peers }, (_, i) => {
        const subnet = ip4Net(network.ip + (i + 1) * step, SUBNET_LEN);
        const publicIp = parseIP4((i % 2 === 0 ? h2! : h3!).ip);
        const backendData = type === 'vxlan' ? { VNI: 1, VtepMAC: `02:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}` } : undefined;
        return { put: [leaseKey(prefix, subnet), encodeLeaseAttrs({ publicIp, backendType: type, ...(backendData ? { backendData: JSON.stringify(backendData) } : {}) })] as const };
      });
      for (let i = 0; i < ops.length; i += TXN_BATCH) await etcdctlTxn(etcd, ops.slice(i, i + TXN_BATCH));
      const dir = path.join(tmp.path, type);
      const d = await startFlanneld(lab, h1!, dir, { args: [`--etcd-prefix=${prefix}`] });
      if (type === 'udp') await waitFor(() => udpRoute(h1!.ns), { intervalMs: 50, what: 'the route through flannel0 on h1' });
      else await waitFor(() => flannelRoutes(h1!.ns) >= opts.peers, { intervalMs: 50, what: `${opts.peers} routes on h1` });
      await waitFor(() => d.messages().includes('Watching for new subnet leases'), { what: 'the watch' });
      await new Promise((r) => setTimeout(r, opts.settle));
      const backend = backendPid(d);
      const mem = { flanneld: memoryOf(d.proc.pid), backend: memoryOf(backend) };
      for (const [who, m] of Object.entries(mem)) {
        console.log(`${type}, ${opts.peers} peers, ${who.padEnd(8)} RSS ${m.rss.toFixed(1)} MiB (anonymous ${m.anon.toFixed(1)}, file ${m.file.toFixed(1)}), peak ${m.hwm.toFixed(1)} MiB`);
        console.log(`    resident MiB by mapping: ${mappingsOf(who === 'flanneld' ? d.proc.pid : backend)}`);
        record.add({ metric: 'rss', group: `${type}, ${opts.peers} peers`, series: who, value: m.rss, unit: 'MiB' });
      }
      await d.proc.stop();
    }
    record.save();
  } finally {
    await lab.destroy();
    await tmp.remove();
  }
}

await main();
