// Benchmark of etcd failover in one lab run: a 3-member etcd cluster and flanneld (host-gw) on 4 hosts,
// each given all three endpoints. For each fault — the leader killed, the member h1 is connected to
// black-holed (its link down: no reset), that member cut off from its peers only — a new lease is
// written as soon as the cluster takes writes, and the time from the fault until every host's routes
// are exactly the leases in etcd is printed, per host.
import path from 'node:path';
import {
  assertBuilt,
  createLab,
  gatewayRoutes,
  leasesInEtcd,
  routeDifferences,
  startFlanneld,
  startLabEtcdCluster,
  tempDir,
  waitFor,
  type Daemon,
  type Lab,
  type LabEtcdCluster,
  type LabEtcdMember,
} from '@flannel-ts/testing';

// Daemons lease below 10.244.64.0; the leases the benchmark writes lie above.
const CONFIG = '{"Network":"10.244.0.0/16","SubnetLen":26,"SubnetMax":"10.244.63.192","Backend":{"Type":"host-gw"}}';
const PREFIX = '/coreos.com/network';
const DAEMON_ARGS = ['--subnet-lease-ttl=10s', '--subnet-lease-renew-margin=8s'];
/** Far above any expected figure: a run that needs it prints "did not converge". */
const GIVE_UP_MS = 150_000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let written = 0;

/** Puts one more lease, retrying until the cluster takes it; resolves to when it did (ms, performance.now()). */
async function writeLease(cluster: LabEtcdCluster): Promise<number> {
  written++;
  const key = `${PREFIX}/subnets/10.244.${100 + written}.0-26`;
  const value = `{"PublicIP":"192.0.2.${100 + written}","PublicIPv6":null,"BackendType":"host-gw"}`;
  for (;;) {
    try {
      await cluster.etcdctl(['put', '--command-timeout=2s', key, value]);
      return performance.now();
    } catch {
      await sleep(50);
    }
  }
}

/** When each host's routes first matched etcd's leases (ms, performance.now()), or undefined if never. */
async function convergence(lab: Lab, cluster: LabEtcdCluster, daemons: readonly Daemon[]): Promise<Map<Daemon, number | undefined>> {
  const leases = await leasesInEtcd((args) => cluster.etcdctl(args));
  const done = new Map<Daemon, number | undefined>();
  const deadline = performance.now() + GIVE_UP_MS;
  while (done.size < daemons.length && performance.now() < deadline) {
    for (const d of daemons) {
      if (done.has(d)) continue;
      if (routeDifferences(leases, await gatewayRoutes(lab, d.host.ns), d.host.ip).length === 0) done.set(d, performance.now());
    }
    await sleep(20);
  }
  for (const d of daemons) if (!done.has(d)) done.set(d, undefined);
  return done;
}

async function scenario(
  lab: Lab,
  cluster: LabEtcdCluster,
  daemons: readonly Daemon[],
  title: string,
  pick: () => Promise<LabEtcdMember>,
  fault: (m: LabEtcdMember) => Promise<void>,
): Promise<void> {
  const member = await pick();
  const role = (await cluster.leader()) === member ? 'the leader' : 'a follower';
  const attached = [];
  for (const d of daemons) if ((await cluster.connectedMembers(d.host.ns)).includes(member)) attached.push(d.host.name);
  await fault(member);
  const t0 = performance.now();
  const writtenAt = await writeLease(cluster);
  const times = await convergence(lab, cluster, daemons);
  const perHost = daemons.map((d) => `${d.host.name} ${times.get(d) === undefined ? 'never' : seconds(times.get(d)! - t0)}`);
  const all = [...times.values()];
  const slowest = all.includes(undefined) ? `did not converge within ${seconds(GIVE_UP_MS)}` : seconds(Math.max(...(all as number[])) - t0);
  console.log(`${title}: ${member.name} (${role}), connected to by ${attached.join(', ') || 'no daemon'}`);
  console.log(`  lease written ${seconds(writtenAt - t0)} after the fault; every host routes exactly etcd's leases after ${slowest}`);
  console.log(`  per host: ${perHost.join(', ')}`);
  await cluster.heal(member);
  const healed = await convergence(lab, cluster, daemons);
  if ([...healed.values()].includes(undefined)) console.log('  (hosts did not converge after the member was healed)');
}

async function main(): Promise<void> {
  assertBuilt();
  const tmp = tempDir('flannel-bench-failover');
  const lab = await createLab({ hosts: 4 });
  try {
    const cluster = await startLabEtcdCluster(lab, 3);
    await cluster.etcdctl(['put', `${PREFIX}/config`, CONFIG]);
    console.log(`etcd failover benchmark, lab ${lab.prefix}: 3 etcd members, flanneld ${DAEMON_ARGS.join(' ')} on ${lab.hosts.length} hosts`);
    const daemons = await Promise.all(
      lab.hosts.map((h) => startFlanneld(lab, h, path.join(tmp.path, h.name), { etcdEndpoints: cluster.endpoints, args: DAEMON_ARGS })),
    );
    await Promise.all(daemons.map((d) => waitFor(() => d.env(), { what: `${d.host.name}'s subnet.env (log: ${d.dir}/flanneld.log)` })));
    await waitFor(async () => ![...(await convergence(lab, cluster, daemons)).values()].includes(undefined), { what: 'the first routes' });
    const h1Member = () =>
      waitFor(async () => (await cluster.connectedMembers(daemons[0]!.host.ns))[0], { what: 'h1 to be connected to an etcd member' });
    await scenario(lab, cluster, daemons, '1. leader killed (SIGKILL)', () => cluster.leader(), (m) => cluster.kill(m));
    await scenario(lab, cluster, daemons, "2. h1's member black-holed (link down)", h1Member, (m) => cluster.blackhole(m));
    await scenario(lab, cluster, daemons, "3. h1's member cut off from its peers only (nft drop)", h1Member, (m) => cluster.isolateFromPeers(m));
    const lost = daemons.flatMap((d) => d.messages().filter((m) => m.startsWith('Lease ') && m.includes(' lost')).map((m) => `${d.host.name}: ${m}`));
    console.log(lost.length === 0 ? 'no daemon lost its lease' : `leases lost:\n  ${lost.join('\n  ')}`);
  } finally {
    await lab.destroy();
    await tmp.remove();
  }
}

await main();
