import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  createLab,
  envValue,
  etcdctlTxn,
  gatewayRoutes,
  leasesInEtcd,
  routeDifferences,
  startFlanneld,
  startLabEtcdCluster,
  tempDir,
  waitFor,
  type Daemon,
  type EtcdTxnOp,
  type Lab,
  type LabEtcdCluster,
  type LabEtcdMember,
  type TempDir,
} from '@flannel-ts/testing';
import { formatIP4Net, parseIP4Net } from '@flannel-ts/ip';

// Daemons lease below 10.244.64.0; the leases the test writes lie above, with gateways on the lab's
// segment that no host holds (host-gw only needs them to be on-link).
const CONFIG = '{"Network":"10.244.0.0/16","SubnetLen":26,"SubnetMax":"10.244.63.192","Backend":{"Type":"host-gw"}}';
// Renewing 28 s before expiry means one every 2 s. The TTL leaves failover (a silent member is left
// after its 5 s call deadline or 8 s of missed keepalives, then a reconnect) room on a loaded machine:
// with 10 s, a daemon whose last renewal came just before the fault could lose its etcd lease.
const DAEMON_ARGS = ['--subnet-lease-ttl=30s', '--subnet-lease-renew-margin=28s'];
const key = (i: number) => `/coreos.com/network/subnets/10.244.${64 + Math.floor(i / 4)}.${(i % 4) * 64}-26`;
const value = (i: number, gw = 100 + (i % 100)) => `{"PublicIP":"192.0.2.${gw}","PublicIPv6":null,"BackendType":"host-gw"}`;

let lab: Lab;
let cluster: LabEtcdCluster;
let tmp: TempDir;
let daemons: Daemon[];
/** Each daemon's lease as etcd held it once all had started: subnet and etcd lease id. */
let held: Map<Daemon, { subnet: string; leaseId: string }>;

const renewals = (d: Daemon) => d.messages().filter((m) => m.startsWith('Lease renewed')).length;

/** Applies `ops` in one transaction, again until the cluster takes it (puts and deletes are idempotent). */
const write = (ops: readonly EtcdTxnOp[]) =>
  waitFor(() => etcdctlTxn(cluster, ops).then((r) => r.succeeded), { what: `a transaction of ${ops.length} operations` });

/** Every host's routes are exactly the leases in etcd (a host's own excepted). */
async function routesConverge(): Promise<void> {
  await waitFor(
    async () => {
      const leases = await leasesInEtcd((args) => cluster.etcdctl(args));
      for (const d of daemons) {
        if (routeDifferences(leases, await gatewayRoutes(lab, d.host.ns), d.host.ip).length > 0) return false;
      }
      return true;
    },
    { what: "every host's routes to match the leases in etcd" },
  );
}

/** Each daemon renews at least twice more from now on. */
async function renewalsContinue(): Promise<void> {
  const before = new Map(daemons.map((d) => [d, renewals(d)]));
  await waitFor(() => daemons.every((d) => renewals(d) >= before.get(d)! + 2), { what: 'two more renewals by every daemon' });
}

/** Every daemon still holds the lease it started with, on the same etcd lease, and no subnet has two holders. */
async function leasesKept(): Promise<void> {
  const leases = await leasesInEtcd((args) => cluster.etcdctl(args));
  for (const d of daemons) {
    const own = [...leases.values()].filter((l) => l.publicIp === d.host.ip);
    expect(own.map((l) => ({ subnet: l.subnet, leaseId: l.leaseId }))).toEqual([held.get(d)]);
    expect(formatIP4Net(parseIP4Net(envValue(d.env(), 'FLANNEL_SUBNET')!))).toBe(held.get(d)!.subnet);
    expect(d.messages().filter((m) => / lost: |Lease changed|re-listing/.test(m))).toEqual([]);
  }
  expect(new Set([...held.values()].map((l) => l.subnet)).size).toBe(daemons.length);
}

/** The one member a daemon's process is connected to. */
const memberOf = (d: Daemon) =>
  waitFor(
    async () => {
      const members = await cluster.connectedMembers(d.host.ns);
      return members.length === 1 && members[0];
    },
    { what: `${d.host.name} to be connected to one etcd member` },
  );

beforeAll(async () => {
  assertBuilt();
  tmp = await tempDir('etcd-failover-test');
  lab = await createLab({ hosts: 4 });
  cluster = await startLabEtcdCluster(lab, 3);
  await cluster.etcdctl(['put', '/coreos.com/network/config', CONFIG]);
  daemons = await Promise.all(
    lab.hosts.map((h) => startFlanneld(lab, h, path.join(tmp.path, h.name), { etcdEndpoints: cluster.endpoints, args: DAEMON_ARGS })),
  );
  await Promise.all(daemons.map((d) => waitFor(() => d.env(), { what: `${d.host.name}'s subnet file` })));
  const leases = await leasesInEtcd((args) => cluster.etcdctl(args));
  held = new Map(
    daemons.map((d) => {
      const lease = [...leases.values()].find((l) => l.publicIp === d.host.ip)!;
      return [d, { subnet: lease.subnet, leaseId: lease.leaseId }];
    }),
  );
  await routesConverge();
});

afterAll(async () => {
  await lab?.destroy();
  await tmp?.remove();
});

describe('flanneld (host-gw) on 4 hosts, each given all 3 members of an etcd cluster', () => {
  it('keeps its lease and routes every lease when the leader is killed while 300 leases are written in transactions', async () => {
    const leader = await cluster.leader();
    let killed: Promise<void> | undefined;
    try {
      for (let t = 0; t < 12; t++) {
        await write(Array.from({ length: 25 }, (_, j) => ({ put: [key(t * 25 + j), value(t * 25 + j)] as const })));
        if (t === 3) killed = cluster.kill(leader);
      }
      await killed;
      await routesConverge();
      expect((await leasesInEtcd((args) => cluster.etcdctl(args))).size).toBe(300 + daemons.length);
      await renewalsContinue();
      await leasesKept();
    } finally {
      await killed;
      await cluster.heal(leader);
    }
  });

  it('leaves a member that went silent (its link down: no reset) and routes the changes made since', async () => {
    await faultThenChange((m) => cluster.blackhole(m), [
      ...Array.from({ length: 100 }, (_, i) => ({ del: key(i) })),
      ...Array.from({ length: 25 }, (_, i) => ({ put: [key(100 + i), value(100 + i, 199 - i)] as const })),
    ]);
  });

  it('leaves a member cut off from its peers (its watch ends for want of a leader) and routes the changes made since', async () => {
    await faultThenChange((m) => cluster.isolateFromPeers(m), [
      ...Array.from({ length: 25 }, (_, i) => ({ del: key(125 + i) })),
      ...Array.from({ length: 100 }, (_, i) => ({ put: [key(300 + i), value(300 + i)] as const })),
    ]);
  });
});

/** Puts h1's member under `fault`, writes `ops`, and checks that every daemon follows and keeps its lease. */
async function faultThenChange(fault: (m: LabEtcdMember) => Promise<void>, ops: readonly EtcdTxnOp[]): Promise<void> {
  const member = await memberOf(daemons[0]!);
  await fault(member);
  try {
    for (let i = 0; i < ops.length; i += 125) await write(ops.slice(i, i + 125));
    await routesConverge();
    await renewalsContinue();
    await leasesKept();
    expect(await memberOf(daemons[0]!)).not.toBe(member);
  } finally {
    await cluster.heal(member);
  }
}
