// Benchmark of flannel-route-manager against a fake cloud, in one run: the bundled binary, started
// inside a lab namespace (which reaches the lab's etcd and the forwarded fake, nothing else), with
// 100 leases; the time until the cloud holds exactly their routes and the API calls that took; then
// the calls one changed lease costs (moved, removed, added), which should be its own and no listing.
//
//   npx tsx tools/bench/route-manager.ts [google|aws]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLab, etcdctlTxn, forwardIntoNamespace, startLabEtcd, startManagedCloud, tempDir, waitFor, type ManagedBackend, type ManagedCloud } from '@flannel-ts/testing';

const LEASES = 100;
const PREFIX = '/coreos.com/network';
const CONFIG = '{"Network":"10.244.0.0/16","Backend":{"Type":"alloc"}}';

/** The fake cloud of libs/testing for `backend`; EC2 gets an instance for every address a lease names. */
const startCloud = (backend: ManagedBackend, hostIps: readonly string[]): Promise<ManagedCloud> => startManagedCloud(backend, { hostIps });

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BINARY = path.join(root, 'dist/apps/route-manager/flannel-route-manager');
const leaseKey = (i: number) => `${PREFIX}/subnets/10.244.${i}.0-24`;
const leaseValue = (host: number) => `{"PublicIP":"10.0.${Math.floor(host / 250)}.${(host % 250) + 1}","PublicIPv6":null}`;
const now = () => performance.now();

function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) if (n - (before[op] ?? 0) > 0) out[op] = n - (before[op] ?? 0);
  return out;
}
const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

export async function benchRouteManager(backend: ManagedBackend): Promise<void> {
  const lab = await createLab({ hosts: 1 });
  const dir = tempDir('rmb');
  let cloud: ManagedCloud | undefined;
  try {
    const hostIps = [...Array.from({ length: LEASES + 1 }, (_, i) => i + 1), 1_007].map((host) => JSON.parse(leaseValue(host)).PublicIP as string);
    cloud = await startCloud(backend, hostIps);
    const host = lab.hosts[0]!;
    const etcd = await startLabEtcd(lab);
    for (const port of cloud.ports) await forwardIntoNamespace(lab, host.ns, { port }, dir.path);
    await etcd.etcdctl(['put', `${PREFIX}/config`, CONFIG]);
    await etcdctlTxn(etcd, Array.from({ length: LEASES }, (_, i) => ({ put: [leaseKey(i + 1), leaseValue(i + 1)] as [string, string] })));
    const wanted = new Map(Array.from({ length: LEASES }, (_, i) => [`10.244.${i + 1}.0/24`, JSON.parse(leaseValue(i + 1)).PublicIP as string]));
    const fake = cloud;
    const matches = () => {
      const routes = fake.ownedRoutes();
      return routes.length === wanted.size && routes.every((r) => wanted.get(r.subnet) === r.publicIp);
    };

    const stderr = path.join(dir.path, 'manager.log');
    const t0 = now();
    const manager = lab.spawn(host.ns, [BINARY, `-backend=${backend}`, `-etcd-endpoints=${etcd.endpoint}`, '-sync-interval=3600'], { env: fake.env, stderr });
    try {
      await waitFor(matches, { what: `${LEASES} routes in the cloud`, timeoutMs: 600_000, intervalMs: 50 });
      const coldMs = now() - t0;
      const cold = fake.requests();
      console.log(`cold start, ${LEASES} leases: converged in ${(coldMs / 1000).toFixed(2)} s with ${total(cold)} API calls ${JSON.stringify(cold)}`);

      const change = async (what: string, edit: () => Promise<unknown>) => {
        const before = fake.requests();
        await edit();
        await waitFor(matches, { what: `the cloud after: ${what}`, intervalMs: 20 });
        const calls = delta(fake.requests(), before);
        console.log(`${what}: ${total(calls)} API calls ${JSON.stringify(calls)}`);
      };
      await change('one lease moved to another host', async () => {
        await etcd.etcdctl(['put', leaseKey(7), leaseValue(1_007)]);
        wanted.set('10.244.7.0/24', JSON.parse(leaseValue(1_007)).PublicIP);
      });
      await change('one lease removed', async () => {
        await etcd.etcdctl(['del', leaseKey(8)]);
        wanted.delete('10.244.8.0/24');
      });
      await change('one lease added', async () => {
        await etcd.etcdctl(['put', leaseKey(LEASES + 1), leaseValue(LEASES + 1)]);
        wanted.set(`10.244.${LEASES + 1}.0/24`, JSON.parse(leaseValue(LEASES + 1)).PublicIP);
      });
    } catch (error) {
      console.error(readFileSync(stderr, 'utf8').split('\n').slice(-20).join('\n'));
      throw error;
    } finally {
      await manager.stop();
    }
  } finally {
    await cloud?.dispose();
    await lab.destroy();
    await dir.remove();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const backend = (process.argv[2] ?? 'google') as 'google' | 'aws';
  if (backend !== 'google' && backend !== 'aws') throw new Error(`usage: route-manager.ts [google|aws] (got ${backend})`);
  await benchRouteManager(backend);
}
