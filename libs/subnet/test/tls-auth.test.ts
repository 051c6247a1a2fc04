// The etcd client against a real etcd serving TLS (client certificates required) and, separately,
// TLS with username/password auth: what works, and the one line each mistake gives.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { enableEtcdAuth, makeTestCa, startEtcd, tempDir, type CertFiles, type EtcdServer, type TempDir, type TestCa } from '@flannel-ts/testing';
import { ExitError } from '@flannel-ts/cli';
import { errorText, isRetryable } from '@flannel-ts/retry';
import { EtcdLeaseRegistry, type EtcdConnectOptions } from '../src/index.js';
import { PREFIX } from './helpers.js';

const PASSWORD = 'pa55-Secret-word';
const CONFIG = '{"Network":"10.244.0.0/16","Backend":{"Type":"alloc"}}';

let tmp: TempDir;
let ca: TestCa;
let otherCa: TestCa;
let client: CertFiles;
let strangerClient: CertFiles;
/** TLS, client certificates required. */
let certEtcd: EtcdServer;
/** TLS for the server only, username/password auth enabled. */
let authEtcd: EtcdServer;

beforeAll(async () => {
  tmp = tempDir('etcd-tls');
  [ca, otherCa] = await Promise.all([makeTestCa(tmp.path), makeTestCa(tmp.path, 'other-ca')]);
  const [server, c, stranger] = await Promise.all([
    ca.issue('etcd-server', { ips: ['127.0.0.1'] }),
    ca.issue('flanneld'),
    otherCa.issue('stranger'),
  ]);
  [client, strangerClient] = [c, stranger];
  [certEtcd, authEtcd] = await Promise.all([
    startEtcd({ tls: { server, caFile: ca.certFile, client } }),
    startEtcd({ tls: { server, caFile: ca.certFile } }),
  ]);
  await authEtcd.etcdctl(['put', `${PREFIX}/config`, CONFIG]);
  await enableEtcdAuth(authEtcd, { rootPassword: 'root-pw', user: { name: 'flannel', password: PASSWORD, prefix: `${PREFIX}/` } });
  await certEtcd.etcdctl(['put', `${PREFIX}/config`, CONFIG]);
});
afterAll(async () => {
  await Promise.all([certEtcd?.dispose(), authEtcd?.dispose()]);
  await tmp?.remove();
});

const registries: EtcdLeaseRegistry[] = [];
afterAll(() => registries.forEach((r) => r.close()));

async function connect(o: Omit<EtcdConnectOptions, 'endpoints'> & { endpoints?: readonly string[] }, etcd = certEtcd): Promise<EtcdLeaseRegistry> {
  const r = await EtcdLeaseRegistry.connect({ endpoints: [etcd.endpoint], prefix: PREFIX, ...o });
  registries.push(r);
  return r;
}

/** The error of the first call: retryable (the daemon keeps trying), its one line with its causes. */
async function firstCallError(r: EtcdLeaseRegistry): Promise<string> {
  const err = await r.getConfig().then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!err) throw new Error('the call worked');
  expect(isRetryable(err)).toBe(true);
  const text = errorText(err);
  expect(text).not.toContain('\n');
  return text;
}

/** What connect() throws for a configuration mistake: exit 1 and its line. */
async function connectError(o: Omit<EtcdConnectOptions, 'endpoints'>): Promise<{ exitCode: number; message: string }> {
  const err = await connect(o).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!(err instanceof ExitError)) throw new Error(`expected an ExitError, got ${String(err)}`);
  return { exitCode: err.exitCode, message: err.message };
}

describe('etcd with TLS and client certificates', () => {
  it('works with the right CA and client certificate: config, lease, renewal, listing', async () => {
    const r = await connect({ cafile: ca.certFile, certfile: client.certFile, keyfile: client.keyFile });
    expect(await r.getConfig()).toBe(CONFIG);
    const lease = await r.createLease(parseIP4Net('10.244.5.0/24'), { publicIp: parseIP4('192.0.2.11') }, 60);
    expect(lease).toBeDefined();
    expect(await r.keepAlive(lease!.etcdLeaseId)).toBeGreaterThan(0);
    const listing = await r.listLeases();
    expect(listing.leases.map((l) => l.value)).toEqual(['{"PublicIP":"192.0.2.11","PublicIPv6":null}']);
  });

  it('says the server wants a client certificate when none is given', async () => {
    const r = await connect({ cafile: ca.certFile });
    expect(await firstCallError(r)).toBe(
      `etcd ${certEtcd.endpoint}: TLS handshake refused by the server (bad certificate): it wants a client certificate (--etcd-certfile and --etcd-keyfile) and none was given`,
    );
  });

  it('names the client certificate the server does not trust', async () => {
    const r = await connect({ cafile: ca.certFile, certfile: strangerClient.certFile, keyfile: strangerClient.keyFile });
    expect(await firstCallError(r)).toBe(
      `etcd ${certEtcd.endpoint}: TLS handshake refused by the server (bad certificate): it does not accept the client certificate of --etcd-certfile ${strangerClient.certFile}`,
    );
  });

  it('names the CA file the server certificate failed against', async () => {
    const r = await connect({ cafile: otherCa.certFile, certfile: client.certFile, keyfile: client.keyFile });
    expect(await firstCallError(r)).toBe(
      `etcd ${certEtcd.endpoint}: TLS: the server's certificate is not trusted (unable to verify the first certificate), checked against --etcd-cafile ${otherCa.certFile}`,
    );
  });

  it('says the server certificate does not name the host of the endpoint', async () => {
    const byName = certEtcd.endpoint.replace('127.0.0.1', 'localhost');
    const r = await connect({ endpoints: [byName], cafile: ca.certFile, certfile: client.certFile, keyfile: client.keyFile });
    expect(await firstCallError(r)).toBe(
      `etcd ${byName}: TLS: the server's certificate does not name localhost (its common name: etcd-server): give the endpoint as one it names, or reissue it`,
    );
  });

  it('ends with exit 1 and one line naming the flag and file for a missing, unreadable or malformed file', async () => {
    const dir = path.join(tmp.path, 'bad');
    mkdirSync(dir, { recursive: true });
    const notPem = path.join(dir, 'not.pem');
    writeFileSync(notPem, 'hello\n');
    const brokenPem = path.join(dir, 'broken.pem');
    writeFileSync(brokenPem, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const missing = path.join(dir, 'missing.pem');
    const good = { cafile: ca.certFile, certfile: client.certFile, keyfile: client.keyFile };
    const cases: Array<[Omit<EtcdConnectOptions, 'endpoints'>, RegExp | string]> = [
      [{ ...good, cafile: missing }, `--etcd-cafile ${missing}: cannot read it: ENOENT: no such file or directory, open '${missing}'`],
      [{ ...good, certfile: dir }, `--etcd-certfile ${dir}: cannot read it: EISDIR: illegal operation on a directory, read`],
      [{ ...good, cafile: notPem }, `--etcd-cafile ${notPem}: no PEM certificate in it (want "-----BEGIN CERTIFICATE-----")`],
      [{ ...good, certfile: brokenPem }, new RegExp(`^--etcd-certfile ${brokenPem}: certificate 1 is not valid PEM: `)],
      [{ ...good, keyfile: notPem }, new RegExp(`^--etcd-keyfile ${notPem}: not a PEM private key \\(unencrypted\\): `)],
      [{ ...good, keyfile: strangerClient.keyFile }, `--etcd-keyfile ${strangerClient.keyFile}: not the private key of the certificate in --etcd-certfile ${client.certFile}`],
      [{ cafile: ca.certFile, certfile: client.certFile }, '--etcd-certfile and --etcd-keyfile must be given together'],
    ];
    for (const [options, line] of cases) {
      const { exitCode, message } = await connectError(options);
      expect(exitCode).toBe(1);
      expect(message).not.toContain('\n');
      if (typeof line === 'string') expect(message).toBe(line);
      else expect(message).toMatch(line);
    }
  });
});

describe('etcd with username/password auth', () => {
  it('works with the right password, within the granted prefix', async () => {
    const r = await connect({ cafile: ca.certFile, username: 'flannel', password: PASSWORD }, authEtcd);
    expect(await r.getConfig()).toBe(CONFIG);
    const lease = await r.createLease(parseIP4Net('10.244.9.0/24'), { publicIp: parseIP4('192.0.2.12') }, 60);
    expect(await r.keepAlive(lease!.etcdLeaseId)).toBeGreaterThan(0);
  });

  it('names the endpoint when the password is wrong or the user may not read the prefix, never the password', async () => {
    const wrong = await connect({ cafile: ca.certFile, username: 'flannel', password: `${PASSWORD}x` }, authEtcd);
    const line = await firstCallError(wrong);
    expect(line).toBe(`etcd ${authEtcd.endpoint}: 3 INVALID_ARGUMENT: etcdserver: authentication failed, invalid user ID or password`);
    expect(line).not.toContain(PASSWORD);
    const elsewhere = await EtcdLeaseRegistry.connect({ endpoints: [authEtcd.endpoint], prefix: '/other', cafile: ca.certFile, username: 'flannel', password: PASSWORD });
    registries.push(elsewhere);
    expect(await firstCallError(elsewhere)).toBe(`etcd ${authEtcd.endpoint}: 7 PERMISSION_DENIED: etcdserver: permission denied`);
  });
});
