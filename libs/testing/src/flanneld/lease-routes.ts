import type { Lab } from '../lab/lab.js';

/** One lease key as etcd holds it. */
export interface EtcdLease {
  /** "10.244.1.0/26" */
  readonly subnet: string;
  readonly publicIp: string;
  /** etcd's lease id as decimal text ('0': none). */
  readonly leaseId: string;
}

/** Every lease under `<prefix>/subnets/`, keyed by subnet; `etcdctl` is any etcd's or cluster's. */
export async function leasesInEtcd(
  etcdctl: (args: readonly string[]) => Promise<string>,
  prefix = '/coreos.com/network',
): Promise<Map<string, EtcdLease>> {
  const json = await etcdctl(['get', '--prefix', `${prefix}/subnets/`, '-w', 'json']);
  // Lease ids are 64-bit: quote them before JSON.parse rounds them.
  const out = JSON.parse(json.replace(/"lease":(\d+)/g, '"lease":"$1"')) as {
    kvs?: Array<{ key: string; value: string; lease?: string }>;
  };
  const leases = new Map<string, EtcdLease>();
  for (const kv of out.kvs ?? []) {
    const key = Buffer.from(kv.key, 'base64').toString();
    const subnet = key.slice(key.lastIndexOf('/') + 1).replace('-', '/');
    const { PublicIP } = JSON.parse(Buffer.from(kv.value, 'base64').toString()) as { PublicIP: string };
    leases.set(subnet, { subnet, publicIp: PublicIP, leaseId: kv.lease ?? '0' });
  }
  return leases;
}

/** The routes with a gateway inside `network` in namespace `ns`: subnet → gateway. */
export async function gatewayRoutes(lab: Lab, ns: string, network = '10.244.0.0/16'): Promise<Map<string, string>> {
  const { stdout } = await lab.exec(ns, ['ip', '-4', 'route', 'show', 'root', network]);
  const routes = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) via (\S+) /.exec(line);
    if (m) routes.set(m[1]!, m[2]!);
  }
  return routes;
}

/**
 * How a host-gw host's routes differ from the leases: every lease but the host's own (by public IP)
 * should be one route via its public IP, and nothing else. Empty when they match exactly.
 */
export function routeDifferences(leases: ReadonlyMap<string, EtcdLease>, routes: ReadonlyMap<string, string>, ownIp: string): string[] {
  const differences: string[] = [];
  for (const lease of leases.values()) {
    if (lease.publicIp === ownIp) continue;
    const via = routes.get(lease.subnet);
    if (via !== lease.publicIp) differences.push(`${lease.subnet}: route via ${via ?? 'nothing'}, lease says ${lease.publicIp}`);
  }
  for (const [subnet, via] of routes) {
    const lease = leases.get(subnet);
    if (!lease) differences.push(`${subnet} via ${via}: no such lease`);
    else if (lease.publicIp === ownIp) differences.push(`${subnet} via ${via}: the host's own lease`);
  }
  return differences;
}
