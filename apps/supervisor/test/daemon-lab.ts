// A lab of 3 hosts and an etcd shared by the tests of one file; each test gets a fresh keyspace and directory.
import path from 'node:path';
import { createLab, startLabEtcd, tempDir, type Daemon, type EtcdServer, type Lab, type TempDir } from '@flannel-ts/testing';

export interface DaemonLab {
  readonly lab: Lab;
  readonly etcd: EtcdServer;
  readonly tmp: TempDir;
  /** Empties etcd (keys and leases) and returns a new directory for the test's daemons. */
  fresh(): Promise<string>;
  leaseIds(): Promise<string[]>;
  destroy(): Promise<void>;
}

export async function startDaemonLab(name: string): Promise<DaemonLab> {
  const tmp = await tempDir(name);
  const lab = await createLab({ hosts: 3 });
  const etcd = await startLabEtcd(lab);
  let testNo = 0;
  const leaseIds = async () =>
    (await etcd.etcdctl(['lease', 'list'])).split('\n').map((l) => l.trim()).filter((l) => /^[0-9a-f]+$/.test(l));
  return {
    lab,
    etcd,
    tmp,
    leaseIds,
    async fresh() {
      await etcd.etcdctl(['del', '--prefix', '/']);
      for (const id of await leaseIds()) await etcd.etcdctl(['lease', 'revoke', id]);
      return path.join(tmp.path, `t${++testNo}`);
    },
    async destroy() {
      await lab.destroy();
      await tmp.remove();
    },
  };
}

export function stopAll(...daemons: Daemon[]) {
  return Promise.all(daemons.map((d) => d.proc.stop()));
}
