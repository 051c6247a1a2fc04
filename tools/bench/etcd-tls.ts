// Benchmark of flanneld (alloc) against etcd with and without TLS, in one lab run: from the start of
// the process to subnet.env (plain http; TLS with client certificates; TLS with password auth), and to
// the first line saying why etcd refused it (no client certificate; wrong CA; wrong password), each the
// median of RUNS starts. Both measure the start-up the flags cost, not the daemon's steady state.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ALLOC_CONFIG,
  assertBuilt,
  CONFIG_KEY,
  createLab,
  enableEtcdAuth,
  makeTestCa,
  startEtcd,
  startFlanneld,
  tempDir,
  waitFor,
  type EtcdServer,
  type StartEtcdOptions,
} from '@flannel-ts/testing';

const RUNS = 5;

assertBuilt();
const tmp = tempDir('bench-etcd-tls');
const lab = await createLab({ hosts: 1 });
try {
  const ca = await makeTestCa(tmp.path);
  const other = await makeTestCa(tmp.path, 'other-ca');
  const [server, client] = await Promise.all([ca.issue('etcd-server', { ips: [lab.switchIp] }), ca.issue('flanneld')]);
  const at = (port: number, tls?: StartEtcdOptions['tls']) =>
    startEtcd({ netns: lab.switchNs, host: lab.switchIp, clientPort: port, peerPort: port + 1, ...(tls ? { tls } : {}) });
  const [plain, certs, auth] = await Promise.all([
    at(2379),
    at(2381, { server, caFile: ca.certFile, client }),
    at(2383, { server, caFile: ca.certFile }),
  ]);
  lab.addCleanup(() => Promise.all([plain, certs, auth].map((e) => e.dispose())).then(() => undefined));
  for (const e of [plain, certs, auth]) await e.etcdctl(['put', CONFIG_KEY, ALLOC_CONFIG]);
  await enableEtcdAuth(auth, { rootPassword: 'root', user: { name: 'flannel', password: 'secret', prefix: '/coreos.com/network/' } });

  let n = 0;
  /** ms from spawning flanneld until `done` holds, median of RUNS. */
  const median = async (etcd: EtcdServer, args: string[], done: (logFile: string, subnetFile: string) => boolean): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const dir = path.join(tmp.path, `r${++n}`);
      const t0 = performance.now();
      const d = await startFlanneld(lab, lab.hosts[0]!, dir, { etcdEndpoints: [etcd.endpoint], args });
      await waitFor(() => done(path.join(dir, 'flanneld.log'), d.subnetFile), { what: `run ${n}`, intervalMs: 5 });
      times.push(performance.now() - t0);
      await d.proc.stop();
      for (const id of (await etcd.etcdctl(['lease', 'list'])).split('\n').filter((l) => /^[0-9a-f]+$/.test(l.trim()))) {
        await etcd.etcdctl(['lease', 'revoke', id.trim()]);
      }
    }
    return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  };
  const leased = (_log: string, subnetFile: string) => existsSync(subnetFile);
  const refused = (log: string) => existsSync(log) && readFileSync(log, 'utf8').includes("Couldn't fetch network config: etcd ");
  const cafile = `--etcd-cafile=${ca.certFile}`;
  const certArgs = [`--etcd-certfile=${client.certFile}`, `--etcd-keyfile=${client.keyFile}`];
  const rows: Array<[string, number]> = [
    ['plain http → subnet.env', await median(plain, [], leased)],
    ['TLS + client certificate → subnet.env', await median(certs, [cafile, ...certArgs], leased)],
    ['TLS + password → subnet.env', await median(auth, [cafile, '--etcd-username=flannel', '--etcd-password=secret'], leased)],
    ['no client certificate → refusal line', await median(certs, [cafile], refused)],
    ['wrong CA → refusal line', await median(certs, [`--etcd-cafile=${other.certFile}`, ...certArgs], refused)],
    ['wrong password → refusal line', await median(auth, [cafile, '--etcd-username=flannel', '--etcd-password=nope'], refused)],
  ];
  console.log(`flanneld (alloc) start, median of ${RUNS}:`);
  for (const [what, ms] of rows) console.log(`  ${what.padEnd(42)} ${ms.toFixed(0).padStart(5)} ms`);
} finally {
  await lab.destroy();
  await tmp.remove();
}
