// Two (or more) flannel overlays side by side on the hosts of one lab: per overlay its own etcd
// prefix, network, subnet file and pods, every daemon of a host sharing that host's --state-dir
// root. Readers of the kernel state each overlay should own, computed from the leases in etcd.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { addPod, envValue, startFlanneld, waitFor, type Daemon, type EtcdServer, type Lab, type LabHost, type Pod } from '@flannel-ts/testing';
import { containsIP4, formatIP4Net, parseIP4Net, type IP4Net } from '@flannel-ts/ip';

export interface OverlaySpec {
  /** Names the overlay in test titles and its pods' tag ('' for the first). */
  readonly tag: string;
  readonly prefix: string;
  /** A /16, so every subnet is a /24. */
  readonly network: string;
  readonly backend: { readonly Type: 'host-gw' } | { readonly Type: 'vxlan'; readonly VNI: number };
  /** --ip-masq-backend; default auto (iptables). */
  readonly masqBackend?: 'nftables';
}

export interface Overlay {
  readonly spec: OverlaySpec;
  readonly net: IP4Net;
  /** One daemon per lab host, in host order. */
  readonly daemons: Daemon[];
  /** One pod per lab host, in host order (replaced after a lease change). */
  pods: Pod[];
  /** flannel.<VNI> for vxlan. */
  readonly device: string | undefined;
}

/** The --state-dir every daemon of `host` shares. */
export const stateRoot = (dir: string, host: LabHost): string => path.join(dir, host.name, 'state');

/** Puts each overlay's config and starts its daemons (with --ip-masq) and pods on every host. */
export async function startOverlays(lab: Lab, etcd: EtcdServer, dir: string, specs: readonly OverlaySpec[]): Promise<Overlay[]> {
  for (const s of specs) {
    await etcd.etcdctl(['put', `${s.prefix}/config`, JSON.stringify({ Network: s.network, Backend: s.backend })]);
  }
  const overlays = await Promise.all(
    specs.map(async (spec): Promise<Overlay> => {
      const daemons = await Promise.all(
        lab.hosts.map((h) =>
          startFlanneld(lab, h, path.join(dir, h.name, `overlay${spec.tag || 'a'}`), {
            args: [
              `--etcd-prefix=${spec.prefix}`,
              `--state-dir=${stateRoot(dir, h)}`,
              '--ip-masq',
              ...(spec.masqBackend ? [`--ip-masq-backend=${spec.masqBackend}`] : []),
            ],
          }),
        ),
      );
      const device = spec.backend.Type === 'vxlan' ? `flannel.${spec.backend.VNI}` : undefined;
      return { spec, net: parseIP4Net(spec.network), daemons, pods: [], device };
    }),
  );
  for (const o of overlays) {
    for (const d of o.daemons) await waitFor(() => d.env(), { what: `${d.host.name}'s subnet file of ${o.spec.prefix}` });
    o.pods = await Promise.all(o.daemons.map((d) => addPod(lab, d.host, podOptions(o, d))));
  }
  return overlays;
}

function podOptions(o: Overlay, d: Daemon) {
  return { subnet: envValue(d.env(), 'FLANNEL_SUBNET')!, mtu: Number(envValue(d.env(), 'FLANNEL_MTU')), tag: o.spec.tag };
}

/** "10.50.7.0/24" */
export function subnetOf(d: Daemon): string {
  return formatIP4Net(parseIP4Net(envValue(d.env(), 'FLANNEL_SUBNET')!));
}

async function vtepMac(etcd: EtcdServer, o: Overlay, d: Daemon): Promise<string> {
  const value = await etcd.etcdctl(['get', `${o.spec.prefix}/subnets/${subnetOf(d).replace('/', '-')}`, '--print-value-only']);
  return (JSON.parse(value) as { BackendData: { VtepMAC: string } }).BackendData.VtepMAC;
}

/** What `o`'s daemon on host `i` should have put in the kernel for its peers, as iproute2 prints it. */
export async function wantedEntries(etcd: EtcdServer, o: Overlay, i: number): Promise<{ routes: string[]; neighs: string[]; fdb: string[] }> {
  const peers = o.daemons.filter((_, j) => j !== i);
  const routes: string[] = [];
  const neighs: string[] = [];
  const fdb: string[] = [];
  for (const p of peers) {
    const subnet = subnetOf(p);
    if (o.device === undefined) {
      routes.push(`${subnet} via ${p.host.ip} dev eth0`);
      continue;
    }
    const gw = subnet.split('/')[0]!;
    const mac = await vtepMac(etcd, o, p);
    routes.push(`${subnet} via ${gw} dev ${o.device} onlink`);
    neighs.push(`${gw} lladdr ${mac} PERMANENT`);
    fdb.push(`${mac} dst ${p.host.ip} self permanent`);
  }
  return { routes: routes.sort(), neighs: neighs.sort(), fdb: fdb.sort() };
}

async function lines(lab: Lab, ns: string, cmd: string[]): Promise<string[]> {
  const r = await lab.exec(ns, cmd);
  if (r.exitCode !== 0) return [`${cmd.join(' ')}: ${r.stderr.trim()}`];
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .sort();
}

/** The routes of host `h`'s main table into `net`, without the pods' bridge routes (the host's own subnet). */
export async function routesInto(lab: Lab, h: LabHost, net: IP4Net): Promise<string[]> {
  return (await lines(lab, h.ns, ['ip', '-4', 'route', 'show', 'table', 'main'])).filter((l) => {
    const dst = l.split(' ')[0]!;
    return /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(dst) && containsIP4(net, parseIP4Net(dst).ip) && !/ dev fbr\S* proto kernel /.test(l);
  });
}

/** The routes of host `h` outside every overlay network and the pods' bridges: the host's own. */
export async function otherRoutes(lab: Lab, h: LabHost, nets: readonly IP4Net[]): Promise<string[]> {
  return (await lines(lab, h.ns, ['ip', '-4', 'route', 'show', 'table', 'main'])).filter((l) => {
    const dst = l.split(' ')[0]!;
    const inOverlay = /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(dst) && nets.some((n) => containsIP4(n, parseIP4Net(dst).ip));
    return !inOverlay;
  });
}

/** What `o`'s daemon on host `i` has in the kernel: routes into its network, neighbours and fdb entries of its device. */
export async function actualEntries(lab: Lab, o: Overlay, i: number): Promise<{ routes: string[]; neighs: string[]; fdb: string[] }> {
  const h = lab.hosts[i]!;
  const routes = await routesInto(lab, h, o.net);
  if (o.device === undefined) return { routes, neighs: [], fdb: [] };
  return {
    routes,
    neighs: await lines(lab, h.ns, ['ip', '-4', 'neigh', 'show', 'dev', o.device]),
    fdb: await lines(lab, h.ns, ['bridge', 'fdb', 'show', 'dev', o.device]),
  };
}

/** Every daemon of `o` programmed for all of its peers, and nothing else in its network or on its device. */
export async function programmedExactly(lab: Lab, etcd: EtcdServer, o: Overlay): Promise<boolean> {
  for (let i = 0; i < o.daemons.length; i++) {
    const [want, have] = await Promise.all([wantedEntries(etcd, o, i), actualEntries(lab, o, i)]);
    if (JSON.stringify(want) !== JSON.stringify(have)) return false;
  }
  return true;
}

/**
 * The iptables chains and nftables table of a daemon using `prefix`: Go flanneld's names for the default
 * prefix, else suffixed with sha256(prefix).
 */
export function chainsOf(prefix: string): { postrouting: string; forward: string; nftTable: string } {
  if (prefix === '/coreos.com/network') return { postrouting: 'FLANNEL-POSTRTG', forward: 'FLANNEL-FWD', nftTable: 'flannel' };
  const tag = createHash('sha256').update(prefix).digest('hex').slice(0, 8);
  return { postrouting: `FLANNEL-POSTRTG-${tag}`, forward: `FLANNEL-FWD-${tag}`, nftTable: `flannel_${tag}` };
}

/** The names of host `h`'s nftables tables of family ip, and the rules of each. */
export async function nftTables(lab: Lab, h: LabHost): Promise<Map<string, string[]>> {
  const tables = new Map<string, string[]>();
  const list = await lab.exec(h.ns, ['nft', 'list', 'tables', 'ip']);
  for (const name of list.stdout.split('\n').flatMap((l) => /^table ip (\S+)$/.exec(l.trim())?.slice(1) ?? [])) {
    const body = await lab.exec(h.ns, ['nft', 'list', 'table', 'ip', name]);
    tables.set(name, body.stdout.split('\n').map((l) => l.trim()).filter((l) => / (return|masquerade|accept)\b/.test(l) && !l.startsWith('type ')));
  }
  return tables;
}

/** Every line of `iptables-save` (nft and legacy) in host `h` that names a FLANNEL chain. */
export async function flannelRules(lab: Lab, h: LabHost): Promise<string[]> {
  const out: string[] = [];
  for (const save of ['iptables-nft-save', 'iptables-legacy-save']) {
    const r = await lab.exec(h.ns, [save]);
    out.push(...r.stdout.split('\n').filter((l) => l.includes('FLANNEL')));
  }
  return out;
}
