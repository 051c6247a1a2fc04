// The README's demo: a real etcd and a lab of host namespaces, flanneld (host-gw) on each host, a
// "pod" namespace per host behind a bridge holding the .1 of FLANNEL_SUBNET, and every pod pinging
// every other. Everything it creates is removed at the end, also when it fails.
import path from 'node:path';
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
const CONFIG = '{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}';

const indent = (text: string) => text.trimEnd().replace(/^/gm, '    ');

async function routesReady(lab: Lab, daemons: Daemon[]): Promise<boolean> {
  for (const d of daemons) {
    const table = (await lab.exec(d.host.ns, ['ip', '-4', 'route'])).stdout;
    for (const peer of daemons) {
      const subnet = envValue(peer.env(), 'FLANNEL_SUBNET')!.replace(/\.1\//, '.0/');
      if (peer !== d && !table.includes(`${subnet} via ${peer.host.ip}`)) return false;
    }
  }
  return true;
}

async function main(): Promise<void> {
  const tmp = await tempDir('flannel-demo');
  const lab = await createLab({ hosts: HOSTS });
  try {
    console.log(`lab ${lab.prefix}: etcd in ${lab.switchNs} at http://${lab.switchIp}:2379; hosts ${lab.hosts.map((h) => `${h.ns} (${h.ip})`).join(', ')}`);
    const etcd = await startLabEtcd(lab);
    await etcd.etcdctl(['put', '/coreos.com/network/config', CONFIG]);
    console.log(`network config: ${CONFIG}\n`);
    const daemons = await Promise.all(lab.hosts.map((h) => startFlanneld(lab, h, path.join(tmp.path, h.name))));
    await Promise.all(daemons.map((d) => waitFor(() => d.env(), { what: `${d.host.name}'s subnet.env (log: ${d.dir}/flanneld.log)` })));
    for (const d of daemons) console.log(`${d.host.name} subnet.env:\n${indent(d.env()!)}`);
    console.log(`\nleases in etcd:\n${indent(await etcd.etcdctl(['get', '--prefix', '/coreos.com/network/subnets/']))}`);

    await waitFor(() => routesReady(lab, daemons), { what: 'every host to route to every other' });
    console.log(`\n${lab.hosts[0]!.name} routes:\n${indent((await lab.exec(lab.hosts[0]!.ns, ['ip', '-4', 'route'])).stdout)}`);
    const pods = await Promise.all(
      daemons.map((d) => addPod(lab, d.host, { subnet: envValue(d.env(), 'FLANNEL_SUBNET')!, mtu: Number(envValue(d.env(), 'FLANNEL_MTU')) })),
    );
    console.log(`\npods: ${pods.map((p) => `${p.ns} ${p.ip}`).join(', ')}`);
    const failures = await pingAll(lab, pods);
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
