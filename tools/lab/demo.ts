// The README's demo: a real etcd and a lab of host namespaces, flanneld on each host, and each
// host's lease shown. Everything it creates is removed at the end, also when it fails.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLab, startLabEtcd, tempDir, waitFor, type Lab, type LabHost } from '@flannel-ts/testing';

const HOSTS = 3;
const CONFIG = '{"Network":"10.244.0.0/16","Backend":{"Type":"alloc"}}';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const flanneld = path.join(root, 'dist/apps/supervisor/flanneld');

async function startHost(lab: Lab, host: LabHost, dir: string) {
  await mkdir(dir, { recursive: true });
  const subnetFile = path.join(dir, 'subnet.env');
  const log = path.join(dir, 'flanneld.log');
  lab.spawn(host.ns, [flanneld, `--etcd-endpoints=http://${lab.switchIp}:2379`, `--subnet-file=${subnetFile}`, `--state-dir=${path.join(dir, 'state')}`], {
    stdout: log,
    stderr: log,
  });
  const env = await waitFor(() => readFile(subnetFile, 'utf8').catch(() => undefined), {
    timeoutMs: 10_000,
    what: `${host.name}'s subnet file (see ${log})`,
  });
  return { subnetFile, env };
}

async function main(): Promise<void> {
  const tmp = await tempDir('flannel-demo');
  const lab = await createLab({ hosts: HOSTS });
  try {
    console.log(`lab ${lab.prefix}: switch ${lab.switchNs} (etcd at http://${lab.switchIp}:2379), hosts ${lab.hosts.map((h) => h.ns).join(', ')}`);
    const etcd = await startLabEtcd(lab);
    await etcd.etcdctl(['put', '/coreos.com/network/config', CONFIG]);
    console.log(`network config: ${CONFIG}\n`);
    const results = await Promise.all(lab.hosts.map((h) => startHost(lab, h, path.join(tmp.path, h.name))));
    results.forEach(({ env }, i) => {
      const host = lab.hosts[i]!;
      console.log(`${host.name} (${host.ns}, ${host.ip}) subnet.env:`);
      console.log(env.trimEnd().replace(/^/gm, '    '));
    });
    console.log('\nleases in etcd:');
    console.log((await etcd.etcdctl(['get', '--prefix', '/coreos.com/network/subnets/'])).trimEnd().replace(/^/gm, '    '));
    console.log('\n(the alloc backend leases only; datapath backends arrive with later issues)');
  } finally {
    await lab.destroy();
    await tmp.remove();
    console.log(`\nlab ${lab.prefix} removed`);
  }
}

await main();
