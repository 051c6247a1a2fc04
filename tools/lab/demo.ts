// The README's demo: a real etcd and a lab of host namespaces, flanneld on each host (host-gw, or the
// backend --backend names: vxlan, udp), a "pod" namespace per host behind a bridge holding the .1 of
// FLANNEL_SUBNET, and every pod pinging every other. Everything it creates is removed at the end, also
// when it fails.
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  addPod,
  createLab,
  envValue,
  pingAll,
  startFlanneld,
  startLabEtcd,
  tempDir,
  waitFor,
  type Daemon,
  type Lab,
} from '@flannel-ts/testing';

const HOSTS = 3;
const NETWORK = '10.244.0.0/16';
const BACKENDS = ['host-gw', 'vxlan', 'udp'] as const;
type BackendType = (typeof BACKENDS)[number];

const indent = (text: string) => text.trimEnd().replace(/^/gm, '    ');

function backendOption(): BackendType {
  const usage = `usage: bash tools/demo.sh [--backend ${BACKENDS.join('|')}]`;
  try {
    const { values } = parseArgs({ options: { backend: { type: 'string', default: 'host-gw' } } });
    const backend = values.backend as BackendType;
    if (!BACKENDS.includes(backend)) throw new Error(`--backend must be ${BACKENDS.join(', ')}; got "${backend}"`);
    return backend;
  } catch (error) {
    console.error(`demo: ${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}

/** The route a host needs to reach `peer`'s subnet with this backend. */
function peerRoute(backend: BackendType, peer: Daemon): string {
  const subnet = envValue(peer.env(), 'FLANNEL_SUBNET')!.replace(/\.1\//, '.0/');
  if (backend === 'host-gw') return `${subnet} via ${peer.host.ip} dev eth0`;
  if (backend === 'vxlan') return `${subnet} via ${subnet.split('/')[0]} dev flannel.1 onlink`;
  return `${NETWORK} dev flannel0`;
}

async function routesReady(lab: Lab, backend: BackendType, daemons: Daemon[]): Promise<boolean> {
  for (const d of daemons) {
    const table = (await lab.exec(d.host.ns, ['ip', '-4', 'route'])).stdout;
    if (daemons.some((peer) => peer !== d && !table.includes(peerRoute(backend, peer)))) return false;
  }
  return true;
}

async function main(): Promise<void> {
  const backend = backendOption();
  const config = JSON.stringify({ Network: NETWORK, Backend: { Type: backend } });
  const tmp = await tempDir('flannel-demo');
  const lab = await createLab({ hosts: HOSTS });
  try {
    console.log(`lab ${lab.prefix}: etcd in ${lab.switchNs} at http://${lab.switchIp}:2379; hosts ${lab.hosts.map((h) => `${h.ns} (${h.ip})`).join(', ')}`);
    const etcd = await startLabEtcd(lab);
    await etcd.etcdctl(['put', '/coreos.com/network/config', config]);
    console.log(`network config: ${config}\n`);
    const daemons = await Promise.all(lab.hosts.map((h) => startFlanneld(lab, h, path.join(tmp.path, h.name))));
    await Promise.all(daemons.map((d) => waitFor(() => d.env(), { what: `${d.host.name}'s subnet.env (log: ${d.dir}/flanneld.log)` })));
    for (const d of daemons) console.log(`${d.host.name} subnet.env:\n${indent(d.env()!)}`);
    console.log(`\nleases in etcd:\n${indent(await etcd.etcdctl(['get', '--prefix', '/coreos.com/network/subnets/']))}`);

    await waitFor(() => routesReady(lab, backend, daemons), { what: 'every host to route to every other' });
    console.log(`\n${lab.hosts[0]!.name} routes:\n${indent((await lab.exec(lab.hosts[0]!.ns, ['ip', '-4', 'route'])).stdout)}`);
    const pods = await Promise.all(
      daemons.map((d) => addPod(lab, d.host, { subnet: envValue(d.env(), 'FLANNEL_SUBNET')!, mtu: Number(envValue(d.env(), 'FLANNEL_MTU')) })),
    );
    console.log(`\npods: ${pods.map((p) => `${p.ns} ${p.ip}`).join(', ')}`);
    // A udp host's route is there before its backend has the peer list: pings may need a moment.
    let failures = await pingAll(lab, pods);
    for (const deadline = Date.now() + 30_000; failures.length > 0 && Date.now() < deadline; ) failures = await pingAll(lab, pods);
    const pairs = pods.length * (pods.length - 1);
    console.log(`pod-to-pod ping: ${pairs - failures.length}/${pairs} pairs answered${failures.length ? `; failed: ${failures.join(', ')}` : ''}`);
    if (failures.length) process.exitCode = 1;
  } finally {
    await lab.destroy();
    await tmp.remove();
    console.log(`\nlab ${lab.prefix} removed`);
  }
}

await main();
