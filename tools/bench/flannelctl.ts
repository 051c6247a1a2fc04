// Benchmark of flannelctl on a large network, in one run: a 10.0.0.0/8 network of /24s (65535
// subnets) with 2000 leases on TTLs and 100 reservations in a fresh etcd, then the wall time of
// the bundled binary's `leases` (one TTL call per lease), `leases --json`, `free` and `free --all`.
import { fileURLToPath } from 'node:url';
import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { EtcdLeaseRegistry } from '@flannel-ts/subnet';
import { run, startEtcd } from '@flannel-ts/testing';

const BINARY = fileURLToPath(new URL('../../dist/apps/flannelctl/flannelctl', import.meta.url));
const PREFIX = '/coreos.com/network';
const LEASES = 2000;
const RESERVATIONS = 100;

const etcd = await startEtcd();
try {
  await etcd.etcdctl(['put', `${PREFIX}/config`, '{"Network":"10.0.0.0/8","Backend":{"Type":"vxlan"}}']);
  const registry = await EtcdLeaseRegistry.connect({ endpoints: [etcd.endpoint], prefix: PREFIX });
  try {
    const subnet = (i: number) => parseIP4Net(`10.${i >> 8}.${i & 255}.0/24`);
    const attrs = (i: number) => ({ publicIp: parseIP4(`192.0.${i >> 8}.${i & 255}`), backendType: 'vxlan', backendData: '{"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:ff"}' });
    // Each lease on an etcd lease of its own, as flanneld writes them; 50 writes at a time.
    for (let i = 1; i <= LEASES + RESERVATIONS; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) => i + j).map((n) =>
          n <= RESERVATIONS ? registry.reserve(subnet(n), attrs(n), undefined) : registry.createLease(subnet(n), attrs(n), 3600),
        ),
      );
    }
  } finally {
    registry.close();
  }
  const common = ['--etcd-endpoints', etcd.endpoint];
  for (const args of [['leases'], ['leases', '--json'], ['free'], ['free', '--all']]) {
    const start = performance.now();
    const result = await run(BINARY, [...common, ...args], { timeoutMs: 300_000 });
    const ms = performance.now() - start;
    const lines = result.stdout.split('\n').length;
    console.log(`flannelctl ${args.join(' ').padEnd(14)} exit ${result.exitCode}  ${lines} lines  ${(ms / 1000).toFixed(2)} s`);
  }
} finally {
  await etcd.dispose();
}
