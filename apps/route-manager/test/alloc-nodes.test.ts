// The original README's demo on lab hosts: flanneld with the alloc backend on every node (a lease,
// no datapath) and flannel-route-manager beside it on one of them, against the fake cloud. Every
// node's lease becomes a route to that node's address; a node's lease gone, its route goes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  createLab,
  envValue,
  forwardIntoNamespace,
  startFlanneld,
  startLabEtcd,
  startManagedCloud,
  tempDir,
  waitFor,
  type Daemon,
  type EtcdServer,
  type Lab,
  type ManagedCloud,
  type TempDir,
} from '@flannel-ts/testing';
import { BINARY, CONFIG, PREFIX } from './cloud-lab.js';

describe.each(['google', 'aws'] as const)('flanneld alloc nodes + flannel-route-manager -backend=%s', (backend) => {
  let lab: Lab;
  let etcd: EtcdServer;
  let cloud: ManagedCloud;
  let tmp: TempDir;
  let sockets: TempDir;
  const nodes: Daemon[] = [];

  beforeAll(async () => {
    assertBuilt();
    tmp = tempDir('rm-alloc');
    sockets = tempDir('c');
    lab = await createLab({ hosts: 3 });
    etcd = await startLabEtcd(lab);
    await etcd.etcdctl(['put', `${PREFIX}/config`, CONFIG]);
    cloud = await startManagedCloud(backend, { hostIps: lab.hosts.map((h) => h.ip), foreignRoutes: true });
    lab.addCleanup(() => cloud.dispose());
    if (cloud.gce) cloud.gce.faults.operationPolls = 0;
    for (const port of cloud.ports) await forwardIntoNamespace(lab, lab.hosts[0]!.ns, { port }, sockets.path);
    for (const host of lab.hosts) nodes.push(await startFlanneld(lab, host, path.join(tmp.path, host.name)));
  });
  afterAll(async () => {
    await lab?.destroy();
    await tmp?.remove();
    await sockets?.remove();
  });

  it("routes every node's lease to that node, and drops the route of a lease that is gone", async () => {
    const subnets = await Promise.all(
      nodes.map(async (n) => {
        await waitFor(() => envValue(n.env(), 'FLANNEL_SUBNET'), { what: `${n.host.name}'s subnet file` });
        return envValue(n.env(), 'FLANNEL_SUBNET')!.replace(/\.1\//, '.0/');
      }),
    );
    const foreign = cloud.foreign();
    const log = path.join(tmp.path, 'manager.log');
    const manager = lab.spawn(lab.hosts[0]!.ns, [BINARY, `-backend=${backend}`, `-etcd-endpoints=http://${lab.switchIp}:2379`], { env: cloud.env, stderr: log });
    const sorted = (pairs: Array<[string, string | undefined]>) => JSON.stringify(Object.fromEntries(pairs.sort()));
    const wanted = new Map(subnets.map((s, i) => [s, lab.hosts[i]!.ip]));
    const matches = () => sorted(cloud.ownedRoutes().map((r) => [r.subnet, r.publicIp])) === sorted([...wanted]);
    try {
      await waitFor(matches, { what: 'a route per node' });

      // h3 leaves: its flanneld stopped and its lease gone (as when its TTL runs out).
      await nodes[2]!.proc.stop();
      await etcd.etcdctl(['del', `${PREFIX}/subnets/${subnets[2]!.replace('/', '-')}`]);
      wanted.delete(subnets[2]!);
      await waitFor(matches, { what: "the route of h3's lease to go" });
      expect(cloud.foreign()).toEqual(foreign);
      expect(manager.hasExited()).toBe(false);
    } catch (error) {
      process.stderr.write(readFileSync(log, 'utf8').split('\n').slice(-20).join('\n'));
      throw error;
    } finally {
      await manager.stop();
    }
  });
});
