// The bundled flannel-route-manager binary: its command line and its exits. It runs outside a lab
// namespace because it reaches nothing but the test's etcd (no cloud is asked anything here; the
// tests against the fake clouds run it inside one: clouds.test.ts).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCa, run, spawnChild, startEtcd, tempDir, waitFor, type EtcdServer } from '@flannel-ts/testing';
import { CONFIG, PREFIX } from './manager-harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BINARY = path.join(root, 'dist/apps/route-manager/flannel-route-manager');

let etcd: EtcdServer;
beforeAll(async () => {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run "npm run build" first`);
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.dispose();
});

const messages = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l).msg as string);

describe('flannel-route-manager binary', () => {
  it('prints usage and version, exit 0', async () => {
    const help = await run(BINARY, ['-help']);
    expect(help.exitCode).toBe(0);
    for (const flag of ['-backend', '-etcd-endpoint', '-etcd-endpoints', '-etcd-prefix', '-sync-interval', '-delete-all-routes', '-aws-route-table']) {
      expect(help.stderr).toContain(`\n  ${flag} `.trimEnd());
    }
    const version = await run(BINARY, ['--version']);
    expect({ code: version.exitCode, out: version.stderr }).toEqual({ code: 0, out: '0.1.0' });
  });

  it('refuses bad flags with exit 2 and an unknown backend with exit 1, naming them', async () => {
    const bad = await run(BINARY, ['-sync-interval=-3']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('invalid value "-3" for flag -sync-interval: must be above zero');
    const unknown = await run(BINARY, ['-backend=azure']);
    expect({ code: unknown.exitCode, line: unknown.stderr }).toEqual({ code: 1, line: 'unknown backend azure (-backend takes google or aws)' });
  });

  it('waits for the network config, and a signal ends it with the original line and exit 0', async () => {
    const dir = tempDir('rm-cli');
    const log = path.join(dir.path, 'stderr');
    const prefix = '/rm-cli-empty';
    const child = spawnChild(BINARY, [`-etcd-endpoints=${etcd.endpoint}`, `-etcd-prefix=${prefix}`], { stderr: log });
    try {
      await waitFor(() => messages(readFileSync(log, 'utf8')).some((m) => m.startsWith("Couldn't fetch network config: flannel config not found")), {
        what: 'the manager to wait for its config',
      });
      child.kill('SIGTERM');
      expect(await child.exited).toEqual({ code: 0, signal: null });
      expect(messages(readFileSync(log, 'utf8'))).toEqual([
        'starting fleet route manager...',
        `Couldn't fetch network config: flannel config not found in etcd store (key ${prefix}/config)`,
        'captured SIGTERM exiting...',
      ]);
    } finally {
      await child.stop();
      await dir.remove();
    }
  });

  it('names a bad FLANNEL_GCE_COMPUTE_ENDPOINT in one line before any request, exit 1', async () => {
    await etcd.etcdctl(['put', `${PREFIX}/config`, CONFIG]);
    const env = { FLANNEL_GCE_COMPUTE_ENDPOINT: 'localhost:8089', GCE_METADATA_HOST: '127.0.0.1:9', METADATA_SERVER_DETECTION: 'assume-present' };
    const r = await run(BINARY, ['-backend=google', `-etcd-endpoints=${etcd.endpoint}`], { env });
    expect(r.exitCode).toBe(1);
    expect(messages(r.stderr).at(-1)).toBe('FLANNEL_GCE_COMPUTE_ENDPOINT="localhost:8089": expected http(s)://host[:port] with no path');
  });

  it('reaches an etcd serving TLS with client certificates through the same flags as flanneld, and names what is wrong', async () => {
    const dir = tempDir('rm-tls');
    const ca = await makeTestCa(dir.path);
    const [server, client] = await Promise.all([ca.issue('etcd-server', { ips: ['127.0.0.1'] }), ca.issue('route-manager')]);
    const tlsEtcd = await startEtcd({ tls: { server, caFile: ca.certFile, client } });
    const prefix = '/rm-cli-tls';
    const untilSaid = async (args: string[], line: string, times: number) => {
      const log = path.join(dir.path, `stderr-${args.length}`);
      const child = spawnChild(BINARY, [`-etcd-endpoints=${tlsEtcd.endpoint}`, `-etcd-prefix=${prefix}`, ...args], { stderr: log });
      try {
        await waitFor(() => messages(readFileSync(log, 'utf8')).filter((m) => m === line).length >= times, { what: `the manager to log ${times}x: ${line}` });
        child.kill('SIGTERM');
        expect(await child.exited).toEqual({ code: 0, signal: null });
      } finally {
        await child.stop();
      }
    };
    try {
      // With the certificates it reaches etcd and finds no config there.
      await untilSaid(
        [`-etcd-cafile=${ca.certFile}`, `-etcd-certfile=${client.certFile}`, `-etcd-keyfile=${client.keyFile}`],
        `Couldn't fetch network config: flannel config not found in etcd store (key ${prefix}/config)`,
        1,
      );
      await untilSaid(
        [`-etcd-cafile=${ca.certFile}`],
        `Couldn't fetch network config: etcd ${tlsEtcd.endpoint}: TLS handshake refused by the server (bad certificate): it wants a client certificate (--etcd-certfile and --etcd-keyfile) and none was given`,
        // Said on every try, not once.
        2,
      );
      const missing = path.join(dir.path, 'missing.crt');
      const r = await run(BINARY, [`-etcd-endpoints=${tlsEtcd.endpoint}`, `-etcd-cafile=${missing}`]);
      expect(r.exitCode).toBe(1);
      expect(messages(r.stderr)).toEqual(['starting fleet route manager...', `--etcd-cafile ${missing}: cannot read it: ENOENT: no such file or directory, open '${missing}'`]);
    } finally {
      await tlsEtcd.dispose();
      await dir.remove();
    }
  });
});
