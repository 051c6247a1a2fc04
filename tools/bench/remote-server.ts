// Benchmark of flanneld's server mode in one run: the lease server (in a process of its own) over a real etcd
// holding 1,000 leases, 200 lightweight watch clients in 4 forked processes on loopback, then lease
// changes one at a time: for each, the time from the write to etcd until each client has the event
// (p50, p99, max over every client and change), plus the server's RSS and CPU.
//
//   npx tsx --tsconfig tsconfig.base.json tools/bench/remote-server.ts
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatIP4Net, ip4Net, parseIP4 } from '@flannel-ts/ip';
import { EtcdSubnetManager, type Lease } from '@flannel-ts/subnet';
import { startEtcd, waitFor } from '@flannel-ts/testing';

const PREFIX = '/coreos.com/network';
const LEASES = 1_000;
const CLIENTS = 200;
const PROCESSES = 4;
const CHANGES = 30;
const SERVER_FILE = fileURLToPath(new URL('./remote-server-process.ts', import.meta.url));
const CLIENTS_FILE = fileURLToPath(new URL('./remote-server-clients.ts', import.meta.url));

const wallMs = (): number => performance.timeOrigin + performance.now();
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const ms = (x: number) => `${x.toFixed(1)} ms`;
interface Stats {
  readonly waiting: number;
  readonly cpuMs: number;
  readonly rss: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<void> {
  const etcd = await startEtcd();
  const children: ChildProcess[] = [];
  try {
    await etcd.etcdctl(['put', `${PREFIX}/config`, '{"Network":"10.0.0.0/8","SubnetLen":24,"Backend":{"Type":"vxlan"}}']);
    const manager = await EtcdSubnetManager.connect({ endpoints: [etcd.endpoint], prefix: PREFIX });
    const subnet = (i: number) => ip4Net(parseIP4('10.10.0.0') + i * 256, 24);
    const attrs = (i: number, mac = '5a:1f:0c:2e:33:9b') => ({
      publicIp: parseIP4('172.16.0.0') + i,
      backendType: 'vxlan',
      backendData: `{"VNI":1,"VtepMAC":"${mac}"}`,
    });
    const held: Lease[] = [];
    for (let i = 0; i < LEASES; i += 50) {
      const batch = Array.from({ length: Math.min(50, LEASES - i) }, (_, k) => manager.registry.createLease(subnet(i + k), attrs(i + k), 3600));
      held.push(...((await Promise.all(batch)) as Lease[]));
    }

    const server = fork(SERVER_FILE, [etcd.endpoint], { execArgv: ['--import', 'tsx', ...(process.env.SERVER_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SERVER_PROF}`] : [])] });
    children.push(server);
    const replies: ((m: Stats) => void)[] = [];
    const address = await new Promise<string>((resolve) => {
      server.on('message', (m: Stats & { address?: string }) => (m.address ? resolve(m.address) : replies.shift()?.(m)));
    });
    const stats = () =>
      new Promise<Stats>((resolve) => {
        replies.push(resolve);
        server.send('stats');
      });
    const idle = await stats();

    // Arrivals per subnet: every client's wall-clock time of the event.
    const arrivals = new Map<string, number[]>();
    let ready = 0;
    let closing = false;
    const snapshotStart = performance.now();
    for (let p = 0; p < PROCESSES; p++) {
      const child = fork(CLIENTS_FILE, [address, String(CLIENTS / PROCESSES)], { execArgv: ['--import', 'tsx'] });
      child.on('message', (m: { ready?: boolean; subnet?: string; at?: number; error?: string }) => {
        if (m.error && !closing) throw new Error(`a client failed: ${m.error}`);
        if (m.ready) ready++;
        if (m.subnet && m.at) {
          const list = arrivals.get(m.subnet) ?? [];
          list.push(m.at);
          arrivals.set(m.subnet, list);
        }
      });
      children.push(child);
    }
    await waitFor(async () => ready === PROCESSES && (await stats()).waiting === CLIENTS, { what: 'every client to long-poll', timeoutMs: 300_000 });
    const snapshotsMs = performance.now() - snapshotStart;
    const polling = await stats();

    const latencies: number[] = [];
    const everyClient: number[] = [];
    const changesStart = performance.now();
    for (let c = 0; c < CHANGES; c++) {
      const i = c * 7;
      const mac = `5a:1f:0c:2e:34:${(c % 256).toString(16).padStart(2, '0')}`;
      const key = formatIP4Net(subnet(i));
      arrivals.delete(key);
      const written = wallMs();
      held[i] = (await manager.updateLease(held[i]!, attrs(i, mac), 3600))!;
      await waitFor(() => (arrivals.get(key)?.length ?? 0) >= CLIENTS, { what: `every client to see change ${c}`, intervalMs: 1 });
      const seen = arrivals.get(key)!.map((at) => at - written);
      latencies.push(...seen);
      everyClient.push(Math.max(...seen));
      await waitFor(async () => (await stats()).waiting === CLIENTS, { what: 'every client to poll again' });
    }
    const changesMs = performance.now() - changesStart;
    const end = await stats();
    const changeCpuMs = end.cpuMs - polling.cpuMs;
    latencies.sort((a, b) => a - b);
    everyClient.sort((a, b) => a - b);

    console.log(`lease server: ${LEASES} leases, ${CLIENTS} watch clients in ${PROCESSES} processes on loopback, ${CHANGES} changes`);
    console.log(`  first snapshots (${CLIENTS} x ${LEASES} leases) until every client long-polls: ${ms(snapshotsMs)}, server CPU ${ms(polling.cpuMs - idle.cpuMs)}`);
    console.log(`  change -> seen by a client (${latencies.length} samples): p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1)!)}`);
    console.log(`  change -> seen by every client (the slowest of each change): p50 ${ms(percentile(everyClient, 50))}, p99 ${ms(percentile(everyClient, 99))}`);
    console.log(`  server CPU during the changes: ${ms(changeCpuMs)} over ${ms(changesMs)} (${((changeCpuMs / changesMs) * 100).toFixed(1)} % of one core), ${ms(changeCpuMs / CHANGES)} per change (${CLIENTS} replies)`);
    console.log(`  server process RSS (node + tsx + etcd client): ${mib(idle.rss)} listening, ${mib(polling.rss)} with ${CLIENTS} clients polling, ${mib(end.rss)} at the end`);
    console.log(`  etcd watches held by the server: ${await etcdWatchers(etcd.endpoint)}`);
    closing = true;
    manager.close();
  } finally {
    // They exit when their IPC channel closes (the server writing its profile, if asked).
    for (const child of children) if (child.connected) child.disconnect();
    await etcd.dispose();
  }
}

async function etcdWatchers(endpoint: string): Promise<string> {
  const text = await (await fetch(`${endpoint}/metrics`)).text();
  return /^etcd_debugging_mvcc_watcher_total (\d+)/m.exec(text)?.[1] ?? '?';
}

await main();
