// Helper of tools/bench/scale-hosts.ts, run inside the lab's switch namespace (where etcd is): plays a
// list of lease changes at a fixed rate and prints when etcd acknowledged each.
//
//   churn-client.ts <etcd endpoint> <etcd prefix> <plan file> <changes per second>
//
// The plan file holds one JSON change per line: {"op":"add"|"del"|"move","subnet":"10.1.2.0/24",
// "publicIp":"192.0.2.12","backendData":"{...}"?}. add creates the lease, del deletes the lease of that
// subnet, move rewrites its PublicIP (and BackendData). Prints "ready" once connected and the leases
// listed, then "<index> <epoch ms>" per change, and "done". Changes are started on a fixed schedule
// (not after the previous one's answer), so a slow etcd shows up as latency, not as a lower rate.
import { readFileSync } from 'node:fs';
import { formatIP4Net, parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { EtcdLeaseRegistry, type Lease, type LeaseAttrs } from '@flannel-ts/subnet';

interface Change {
  readonly op: 'add' | 'del' | 'move';
  readonly subnet: string;
  readonly publicIp: string;
  readonly backendType: string;
  readonly backendData?: string;
}

const LEASE_TTL_S = 3_600;
const wallMs = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const [endpoint, prefix, planFile, rateText] = process.argv.slice(2);
  const rate = Number(rateText);
  if (!endpoint || !prefix || !planFile || !(rate > 0)) throw new Error('usage: churn-client.ts <etcd endpoint> <etcd prefix> <plan file> <changes per second>');
  const plan = readFileSync(planFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Change);
  const registry = await EtcdLeaseRegistry.connect({ endpoints: [endpoint], prefix });
  try {
    const leases = new Map<string, Lease>();
    for (const lease of (await registry.listLeases()).leases) leases.set(formatIP4Net(lease.subnet), lease);
    process.stdout.write('ready\n');
    const attrsOf = (c: Change): LeaseAttrs => ({ publicIp: parseIP4(c.publicIp), backendType: c.backendType, ...(c.backendData ? { backendData: c.backendData } : {}) });
    const apply = async (c: Change, index: number): Promise<void> => {
      if (c.op === 'add') {
        const lease = await registry.createLease(parseIP4Net(c.subnet), attrsOf(c), LEASE_TTL_S);
        if (!lease) throw new Error(`change ${index}: ${c.subnet} is leased already`);
        leases.set(c.subnet, lease);
      } else {
        const existing = leases.get(c.subnet);
        if (!existing) throw new Error(`change ${index}: no lease of ${c.subnet}`);
        if (c.op === 'del') {
          if (!(await registry.deleteLease(existing))) throw new Error(`change ${index}: ${c.subnet} changed under us`);
          leases.delete(c.subnet);
        } else {
          const moved = await registry.replaceLease(existing, attrsOf(c), LEASE_TTL_S);
          if (!moved) throw new Error(`change ${index}: ${c.subnet} changed under us`);
          leases.set(c.subnet, moved);
        }
      }
      process.stdout.write(`${index} ${wallMs()}\n`);
    };
    const start = performance.now();
    const inFlight: Promise<void>[] = [];
    for (const [index, change] of plan.entries()) {
      const due = start + (index * 1_000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      inFlight.push(apply(change, index));
    }
    await Promise.all(inFlight);
    process.stdout.write('done\n');
  } finally {
    registry.close();
  }
}

await main();
