// Shared helpers of the vxlan e2e tests: a lab running flanneld with the vxlan backend on some
// hosts, a pod per host, and readers of the kernel state the backend programs.
import path from 'node:path';
import {
  addPod,
  assertBuilt,
  createLab,
  envValue,
  startFlanneld,
  startLabEtcd,
  tempDir,
  waitFor,
  type Daemon,
  type EtcdServer,
  type Lab,
  type Pod,
  type TempDir,
} from '@flannel-ts/testing';
import { formatIP4, formatIP4Net, parseIP4Net } from '@flannel-ts/ip';

export { envValue, type Daemon };

export const DEV = 'flannel.1';

export interface VxlanLab {
  readonly lab: Lab;
  readonly etcd: EtcdServer;
  readonly tmp: TempDir;
  readonly daemons: Daemon[];
  readonly pods: Pod[];
  destroy(): Promise<void>;
}

/**
 * A lab of `hosts` hosts, flanneld (vxlan) on the first `daemons` of them, a pod on each of those,
 * and every host programmed for every other. `beforeStart` runs once the namespaces exist.
 */
export async function startVxlanLab(options: {
  hosts: number;
  daemons: number;
  config: string;
  beforeStart?: (lab: Lab) => Promise<void>;
  /** Extra flanneld flags, e.g. -v=1 for the debug lines of passes that changed nothing. */
  args?: string[];
  /** Whether `d`'s host is programmed for `peer`; default programmedFor (the vxlan scheme). */
  programmed?: (vx: VxlanLab, d: Daemon, peer: Daemon) => Promise<boolean>;
}): Promise<VxlanLab> {
  const programmed = options.programmed ?? programmedFor;
  assertBuilt();
  const tmp = tempDir('vxlan-test');
  const lab = await createLab({ hosts: options.hosts });
  const destroy = async () => {
    await lab.destroy();
    await tmp.remove();
  };
  try {
    const etcd = await startLabEtcd(lab);
    await etcd.etcdctl(['put', '/coreos.com/network/config', options.config]);
    await options.beforeStart?.(lab);
    const hosts = lab.hosts.slice(0, options.daemons);
    const daemons = await Promise.all(hosts.map((h) => startFlanneld(lab, h, path.join(tmp.path, h.name), { args: options.args })));
    await Promise.all(daemons.map((d) => waitFor(() => d.env(), { what: `${d.host.name}'s subnet file` })));
    const pods = await Promise.all(
      daemons.map((d) => addPod(lab, d.host, { subnet: envValue(d.env(), 'FLANNEL_SUBNET')!, mtu: Number(envValue(d.env(), 'FLANNEL_MTU')) })),
    );
    const vx: VxlanLab = { lab, etcd, tmp, daemons, pods, destroy };
    await waitFor(
      async () => {
        for (const d of daemons) for (const peer of daemons) if (peer !== d && !(await programmed(vx, d, peer))) return false;
        return true;
      },
      { what: 'every host to be programmed for every other' },
    );
    return vx;
  } catch (error) {
    await destroy();
    throw error;
  }
}

/** "10.244.7.0/24" */
export const subnetOf = (d: Daemon): string => formatIP4Net(parseIP4Net(envValue(d.env(), 'FLANNEL_SUBNET')!));
/** "10.244.7.0" */
export const subnetIp = (subnet: string): string => formatIP4(parseIP4Net(subnet).ip);
export const leaseKey = (subnet: string): string => `/coreos.com/network/subnets/${subnet.replace('/', '-')}`;

export async function leaseValue(vx: VxlanLab, d: Daemon): Promise<string> {
  return (await vx.etcd.etcdctl(['get', leaseKey(subnetOf(d)), '--print-value-only'])).trim();
}

export async function vtepMacOf(vx: VxlanLab, d: Daemon): Promise<string> {
  return (JSON.parse(await leaseValue(vx, d)) as { BackendData: { VtepMAC: string } }).BackendData.VtepMAC;
}

/** `ip -4 route`, `ip neigh show dev flannel.1` and `bridge fdb show dev flannel.1` of a namespace, one line each. */
export async function kernelState(lab: Lab, ns: string): Promise<{ routes: string[]; neighs: string[]; fdb: string[] }> {
  const lines = async (cmd: string[]) =>
    (await lab.exec(ns, cmd)).stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      // The kernel lists neighbours and fdb entries in hash order, which a delete and re-add can change.
      .sort();
  const [routes, neighs, fdb] = await Promise.all([
    lines(['ip', '-4', 'route', 'show', 'table', 'main']),
    lines(['ip', '-4', 'neigh', 'show', 'dev', DEV]),
    lines(['bridge', 'fdb', 'show', 'dev', DEV]),
  ]);
  return { routes, neighs, fdb };
}

/** The three lines Go flanneld's static scheme puts in the kernel for one peer, as iproute2 prints them. */
export function peerLines(subnet: string, vtepMac: string, publicIp: string): { route: string; neigh: string; fdb: string } {
  const gw = subnetIp(subnet);
  return {
    route: `${subnet} via ${gw} dev ${DEV} onlink`,
    neigh: `${gw} lladdr ${vtepMac} PERMANENT`,
    fdb: `${vtepMac} dst ${publicIp} self permanent`,
  };
}

/** Whether `d`'s host has the route, neighbour and fdb entry for `peer`. */
export async function programmedFor(vx: VxlanLab, d: Daemon, peer: Daemon): Promise<boolean> {
  const want = peerLines(subnetOf(peer), await vtepMacOf(vx, peer), peer.host.ip);
  return hasPeerLines(vx.lab, d.host.ns, want);
}

export async function hasPeerLines(lab: Lab, ns: string, want: { route: string; neigh: string; fdb: string }): Promise<boolean> {
  const state = await kernelState(lab, ns);
  return state.routes.includes(want.route) && state.neighs.includes(want.neigh) && state.fdb.includes(want.fdb);
}

/** The id of the backend process flanneld started last, from its log. */
export function backendPid(d: Daemon): number {
  const started = d.messages().filter((m) => m.startsWith('Started backend'));
  return Number(/\(pid (\d+)\)/.exec(started.at(-1) ?? '')?.[1]);
}
