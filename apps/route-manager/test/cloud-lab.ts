// The bundled flannel-route-manager in a lab namespace against a fake cloud (the real AWS SDK or
// Google's clients inside it), with a loopback etcd reached through a proxy the test can cut. The
// namespace has no way out: the binary reaches the forwarded fake and etcd, nothing else.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLab,
  etcdctlTxn,
  forwardIntoNamespace,
  startEtcd,
  startManagedCloud,
  startTcpProxy,
  tempDir,
  waitFor,
  type EtcdServer,
  type Lab,
  type LabProcess,
  type ManagedBackend,
  type ManagedCloud,
  type TcpProxy,
  type TempDir,
} from '@flannel-ts/testing';

export const BINARY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/apps/route-manager/flannel-route-manager');
export const PREFIX = '/coreos.com/network';
export const CONFIG = '{"Network":"10.244.0.0/16","Backend":{"Type":"alloc"}}';

/** Host `i`'s address (a lease's PublicIP); EC2 has an instance with each private IP. */
export const hostIp = (i: number) => `10.240.${Math.floor(i / 250)}.${(i % 250) + 1}`;
export const HOST_IPS = Array.from({ length: 300 }, (_, i) => hostIp(i));
export const leaseKey = (i: number) => `${PREFIX}/subnets/10.244.${i}.0-24`;
export const leaseValue = (host: number) => `{"PublicIP":"${hostIp(host)}","PublicIPv6":null}`;
export const subnetOf = (i: number) => `10.244.${i}.0/24`;

export interface RunningManager {
  readonly proc: LabProcess;
  messages(): string[];
  /** The exit code once it ended. */
  exited(): Promise<number | null>;
}

export interface CloudLab {
  readonly backend: ManagedBackend;
  readonly cloud: ManagedCloud;
  readonly etcd: EtcdServer;
  readonly proxy: TcpProxy;
  putLeases(from: number, to: number, host?: (i: number) => number): Promise<void>;
  /** subnet → PublicIP of etcd's leases, sorted. */
  leases(): Promise<Record<string, string>>;
  /** subnet → host of the manager's routes in the cloud, sorted. */
  routes(): Record<string, string | undefined>;
  /** Waits until the cloud holds exactly etcd's leases. */
  converged(): Promise<void>;
  startManager(args?: readonly string[], env?: Record<string, string>): RunningManager;
  /** Stops every manager still running and empties etcd and the manager's routes. */
  reset(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startCloudLab(backend: ManagedBackend): Promise<CloudLab> {
  const dir = tempDir('rm-cloud');
  const sockets: TempDir = tempDir('c');
  let lab: Lab | undefined;
  const parts: Array<() => Promise<unknown>> = [() => dir.remove(), () => sockets.remove()];
  const dispose = async () => {
    for (const part of parts.splice(0).reverse()) await part().catch(() => undefined);
  };
  try {
    const etcd = await startEtcd();
    parts.push(() => etcd.dispose());
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(etcd.endpoint).port) });
    parts.push(async () => proxy.close());
    const cloud = await startManagedCloud(backend, { hostIps: HOST_IPS, foreignRoutes: true });
    parts.push(() => cloud.dispose());
    lab = await createLab({ hosts: 1 });
    const ownLab = lab;
    parts.push(() => ownLab.destroy());
    const ns = lab.hosts[0]!.ns;
    for (const port of [proxy.port, ...cloud.ports]) await forwardIntoNamespace(lab, ns, { port }, sockets.path);

    const managers: LabProcess[] = [];
    let started = 0;
    const leases = async () => {
      const out = JSON.parse(await etcd.etcdctl(['get', '--prefix', `${PREFIX}/subnets/`, '-w', 'json']));
      const pairs: Array<[string, string]> = (out.kvs ?? []).map((kv: { key: string; value: string }) => {
        const key = Buffer.from(kv.key, 'base64').toString();
        return [key.slice(key.lastIndexOf('/') + 1).replace('-', '/'), JSON.parse(Buffer.from(kv.value, 'base64').toString()).PublicIP];
      });
      return Object.fromEntries(pairs.sort());
    };
    const routes = () => Object.fromEntries(cloud.ownedRoutes().map((r): [string, string | undefined] => [r.subnet, r.publicIp]).sort());
    return {
      backend,
      cloud,
      etcd,
      proxy,
      async putLeases(from, to, host = (i) => i) {
        await etcdctlTxn(etcd, Array.from({ length: to - from + 1 }, (_, j) => ({ put: [leaseKey(from + j), leaseValue(host(from + j))] as [string, string] })));
      },
      leases,
      routes,
      async converged() {
        await waitFor(async () => JSON.stringify(routes()) === JSON.stringify(await leases()), { what: `the ${backend} routes to match etcd's leases` });
      },
      startManager(args = [], env = {}) {
        const log = path.join(dir.path, `manager-${++started}.log`);
        const proc = ownLab.spawn(ns, [BINARY, `-backend=${backend}`, `-etcd-endpoints=${proxy.endpoint}`, '-sync-interval=3600', ...args], {
          env: { ...cloud.env, ...env },
          stderr: log,
        });
        managers.push(proc);
        const messages = () => {
          let text = '';
          try {
            text = readFileSync(log, 'utf8');
          } catch {
            return [];
          }
          return text
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l).msg as string);
        };
        return { proc, messages, exited: async () => (await proc.exited).code };
      },
      async reset() {
        for (const proc of managers.splice(0)) await proc.stop();
        await etcd.etcdctl(['del', '--prefix', '/']);
        await etcd.etcdctl(['put', `${PREFIX}/config`, CONFIG]);
        cloud.clearOwned();
      },
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
