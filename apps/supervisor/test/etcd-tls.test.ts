// flanneld (the built binary, in a lab host) against a real etcd serving TLS with client
// certificates, and one with username/password auth: it leases with the right credentials, says
// clearly why it cannot with wrong ones (retrying, or exit 1 for a file that cannot be used), and no
// secret reaches its log, its --help or its backend.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALLOC_CONFIG,
  assertBuilt,
  CONFIG_KEY,
  createLab,
  enableEtcdAuth,
  envValue,
  FLANNELD,
  makeTestCa,
  run,
  startEtcd,
  startFlanneld,
  tempDir,
  waitFor,
  type CertFiles,
  type Daemon,
  type EtcdServer,
  type Lab,
  type TempDir,
  type TestCa,
} from '@flannel-ts/testing';

const PASSWORD = 'Tr0ub4dor-3-secret';

let lab: Lab;
let tmp: TempDir;
let ca: TestCa;
let otherCa: TestCa;
let client: CertFiles;
/** TLS, client certificates required: https://192.0.2.1:2379. */
let certEtcd: EtcdServer;
/** TLS for the server only, username/password auth: https://192.0.2.1:2381. */
let authEtcd: EtcdServer;
let testNo = 0;

beforeAll(async () => {
  assertBuilt();
  tmp = tempDir('flanneld-etcd-tls');
  lab = await createLab({ hosts: 1 });
  [ca, otherCa] = await Promise.all([makeTestCa(tmp.path), makeTestCa(tmp.path, 'other-ca')]);
  const server = await ca.issue('etcd-server', { ips: [lab.switchIp] });
  client = await ca.issue('flanneld');
  const inSwitch = { netns: lab.switchNs, host: lab.switchIp };
  [certEtcd, authEtcd] = await Promise.all([
    startEtcd({ ...inSwitch, clientPort: 2379, peerPort: 2380, tls: { server, caFile: ca.certFile, client } }),
    startEtcd({ ...inSwitch, clientPort: 2381, peerPort: 2382, tls: { server, caFile: ca.certFile } }),
  ]);
  lab.addCleanup(() => Promise.all([certEtcd.dispose(), authEtcd.dispose()]).then(() => undefined));
  await certEtcd.etcdctl(['put', CONFIG_KEY, ALLOC_CONFIG]);
  await authEtcd.etcdctl(['put', CONFIG_KEY, '{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}']);
  await enableEtcdAuth(authEtcd, { rootPassword: 'root-pw', user: { name: 'flannel', password: PASSWORD, prefix: '/coreos.com/network/' } });
});
afterAll(async () => {
  await lab?.destroy();
  await tmp?.remove();
});

const host = () => lab.hosts[0]!;
const dir = () => path.join(tmp.path, `t${++testNo}`);
const logText = (d: Daemon) => readFileSync(path.join(d.dir, 'flanneld.log'), 'utf8');
const certFlags = (c: { ca?: string; cert?: CertFiles }) => [
  ...(c.ca ? [`--etcd-cafile=${c.ca}`] : []),
  ...(c.cert ? [`--etcd-certfile=${c.cert.certFile}`, `--etcd-keyfile=${c.cert.keyFile}`] : []),
];

function start(etcd: EtcdServer, args: string[], env?: Record<string, string>): Promise<Daemon> {
  return startFlanneld(lab, host(), dir(), { etcdEndpoints: [etcd.endpoint], args, ...(env ? { env } : {}) });
}

/** Waits until flanneld has said `line` on two tries; it is still running then (it retries), and SIGTERM ends it with 0. */
async function saysAndRetries(d: Daemon, line: string): Promise<void> {
  await waitFor(() => d.messages().filter((m) => m === line).length >= 2, { what: `flanneld to log twice: ${line}` });
  expect(d.proc.hasExited()).toBe(false);
  expect(d.env()).toBeUndefined();
  expect((await d.proc.stop()).code).toBe(0);
}

describe('flanneld and etcd over TLS with client certificates', () => {
  it('leases and writes subnet.env with the right CA and client certificate', async () => {
    const d = await start(certEtcd, certFlags({ ca: ca.certFile, cert: client }));
    const env = await waitFor(() => d.env(), { what: 'the subnet file' });
    const subnet = envValue(env, 'FLANNEL_SUBNET')!;
    expect(subnet).toMatch(/^10\.244\.\d+\.1\/24$/);
    const key = `/coreos.com/network/subnets/${subnet.replace('.1/24', '.0-24')}`;
    expect((await certEtcd.etcdctl(['get', key, '--print-value-only'])).trim()).toBe(`{"PublicIP":"${host().ip}","PublicIPv6":null}`);
    // Node's plain-text warning about the address as TLS server name stays out of the log.
    expect(logText(d).split('\n').filter((l) => l !== '' && !l.startsWith('{'))).toEqual([]);
    expect((await d.proc.stop()).code).toBe(0);
  });

  it('keeps retrying, saying the server wants a client certificate, when it has none', async () => {
    const d = await start(certEtcd, certFlags({ ca: ca.certFile }));
    await saysAndRetries(
      d,
      `Couldn't fetch network config: etcd ${certEtcd.endpoint}: TLS handshake refused by the server (bad certificate): it wants a client certificate (--etcd-certfile and --etcd-keyfile) and none was given`,
    );
  });

  it('keeps retrying, naming the CA file, when the server certificate is not signed by it', async () => {
    const d = await start(certEtcd, certFlags({ ca: otherCa.certFile, cert: client }));
    await saysAndRetries(
      d,
      `Couldn't fetch network config: etcd ${certEtcd.endpoint}: TLS: the server's certificate is not trusted (unable to verify the first certificate), checked against --etcd-cafile ${otherCa.certFile}`,
    );
  });

  it('exits 1 with one line naming the flag and the file for a missing, unreadable or non-PEM file', async () => {
    const bad = path.join(tmp.path, 'bad-files');
    mkdirSync(bad, { recursive: true });
    const notPem = path.join(bad, 'ca.txt');
    writeFileSync(notPem, 'not a certificate\n');
    const missing = path.join(bad, 'missing.key');
    const cases: Array<[string[], string]> = [
      [certFlags({ ca: notPem, cert: client }), `--etcd-cafile ${notPem}: no PEM certificate in it (want "-----BEGIN CERTIFICATE-----")`],
      [[...certFlags({ ca: ca.certFile }), `--etcd-certfile=${client.certFile}`, `--etcd-keyfile=${missing}`], `--etcd-keyfile ${missing}: cannot read it: ENOENT: no such file or directory, open '${missing}'`],
      [[...certFlags({ ca: bad, cert: client })], `--etcd-cafile ${bad}: cannot read it: EISDIR: illegal operation on a directory, read`],
    ];
    for (const [args, line] of cases) {
      const d = await start(certEtcd, args);
      await waitFor(() => d.proc.hasExited(), { what: `flanneld ${args.join(' ')} to exit` });
      expect((await d.proc.exited).code).toBe(1);
      expect(d.messages()).toEqual([line]);
    }
  });
});

describe('flanneld and etcd with username/password auth', () => {
  it('leases with the right password, which appears in no log line (-v=10), nor in the backend it runs', async () => {
    const d = await start(authEtcd, [...certFlags({ ca: ca.certFile }), '--etcd-username=flannel', '-v=10'], { FLANNELD_ETCD_PASSWORD: PASSWORD });
    await waitFor(() => d.messages().includes('Running backend.'), { what: 'flanneld to run its backend' });
    expect(envValue(d.env(), 'FLANNEL_SUBNET')).toMatch(/^10\.244\.\d+\.1\/24$/);
    const log = logText(d);
    expect(log).toContain('"etcdPassword":"[Redacted]"');
    expect(log).not.toContain(PASSWORD);
    const pid = Number(/Started backend .* \(pid (\d+)\)/.exec(log)?.[1]);
    expect(pid).toBeGreaterThan(0);
    for (const file of ['cmdline', 'environ']) expect(readFileSync(`/proc/${pid}/${file}`, 'latin1')).not.toContain(PASSWORD);
    expect((await d.proc.stop()).code).toBe(0);
    expect(logText(d)).not.toContain(PASSWORD);
  });

  it('keeps retrying, naming the endpoint, with a wrong password, which appears in no log line (-v=10)', async () => {
    const wrong = `${PASSWORD}-wrong`;
    const d = await start(authEtcd, [...certFlags({ ca: ca.certFile }), '--etcd-username=flannel', `--etcd-password=${wrong}`, '-v=10']);
    await saysAndRetries(
      d,
      `Couldn't fetch network config: etcd ${authEtcd.endpoint}: 3 INVALID_ARGUMENT: etcdserver: authentication failed, invalid user ID or password`,
    );
    expect(logText(d)).not.toContain(wrong);
    expect(logText(d)).not.toContain(PASSWORD);
  });

  it('shows no password in --help, given by flag or by environment', async () => {
    for (const [args, env] of [
      [[`--etcd-password=${PASSWORD}`, '--help'], {}],
      [['--help'], { FLANNELD_ETCD_PASSWORD: PASSWORD }],
    ] as const) {
      const help = await run(FLANNELD, args, { env });
      expect(help.exitCode).toBe(0);
      expect(help.stderr).toContain('-etcd-password string');
      expect(help.stdout + help.stderr).not.toContain(PASSWORD);
    }
  });
});
