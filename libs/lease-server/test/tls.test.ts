import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCa, startEtcd, tempDir, type EtcdServer, type TempDir } from '@flannel-ts/testing';
import { EtcdSubnetManager } from '@flannel-ts/subnet';
import { startLeaseServer, type LeaseServer } from '../src/index.js';
import { request } from './http-client.js';

const PREFIX = '/coreos.com/network';

let etcd: EtcdServer;
let manager: EtcdSubnetManager;
let dir: TempDir;
let server: LeaseServer;
let tls: { ca: Buffer; cert: Buffer; key: Buffer; otherCert: Buffer; otherKey: Buffer };
let files: { caFile: string; certFile: string; keyFile: string };

beforeAll(async () => {
  etcd = await startEtcd();
  await etcd.etcdctl(['put', `${PREFIX}/config`, '{"Network":"10.1.0.0/16"}']);
  manager = await EtcdSubnetManager.connect({ endpoints: [etcd.endpoint], prefix: PREFIX });
  dir = tempDir('lease-server-tls');
  const ca = await makeTestCa(dir.path, 'server-ca');
  const other = await makeTestCa(dir.path, 'other-ca');
  const serverCert = await ca.issue('localhost', { ips: ['127.0.0.1'], dnsNames: ['localhost'] });
  const client = await ca.issue('client');
  const stranger = await other.issue('stranger');
  files = { caFile: ca.certFile, ...serverCert };
  tls = {
    ca: readFileSync(ca.certFile),
    cert: readFileSync(client.certFile),
    key: readFileSync(client.keyFile),
    otherCert: readFileSync(stranger.certFile),
    otherKey: readFileSync(stranger.keyFile),
  };
  server = await startLeaseServer({
    listen: 'tcp://127.0.0.1:0',
    tls: files,
    networks: { network: () => ({ manager, registry: manager.registry }) },
    ttlSeconds: 3600,
    log: pino({ level: 'silent' }),
  });
});
afterAll(async () => {
  await server?.close();
  manager?.close();
  await etcd?.dispose();
  await dir?.remove();
});

describe('lease server over TLS with client certificates', () => {
  it('serves a client whose certificate the CA signed', async () => {
    const reply = await request(server.address, 'GET', '/v1/_/config', { tls: { ca: tls.ca, cert: tls.cert, key: tls.key } });
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('"Network":"10.1.0.0/16"');
  });

  it('refuses a client without a certificate', async () => {
    await expect(request(server.address, 'GET', '/v1/_/config', { tls: { ca: tls.ca } })).rejects.toThrow('certificate required');
  });

  it('refuses a client whose certificate another CA signed', async () => {
    await expect(
      request(server.address, 'GET', '/v1/_/config', { tls: { ca: tls.ca, cert: tls.otherCert, key: tls.otherKey } }),
    ).rejects.toThrow(/socket hang up|unknown ca|ECONNRESET/);
  });

  it('refuses plain HTTP', async () => {
    await expect(request(server.address, 'GET', '/v1/_/config')).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('names a missing file, and a key without its certificate', async () => {
    const start = (t: { caFile: string; certFile: string; keyFile: string }) =>
      startLeaseServer({ listen: '127.0.0.1:0', tls: t, networks: { network: () => ({ manager, registry: manager.registry }) }, ttlSeconds: 60, log: pino({ level: 'silent' }) });
    await expect(start({ ...files, certFile: '/nonexistent.crt' })).rejects.toThrow(
      'Error listening on 127.0.0.1:0: --remote-certfile /nonexistent.crt: ENOENT',
    );
    await expect(start({ caFile: files.caFile, certFile: '', keyFile: files.keyFile })).rejects.toThrow(
      'TLS needs both --remote-certfile and --remote-keyfile',
    );
  });
});
