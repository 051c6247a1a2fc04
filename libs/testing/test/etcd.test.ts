import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdctlTxn, freePort, pidExists, startEtcd, type EtcdServer } from '../src/index.js';

describe('startEtcd', () => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.dispose();
  });

  it('serves puts and gets on a free loopback port', async () => {
    expect(etcd.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await etcd.etcdctl(['put', '/t/a', 'hello world']);
    expect(await etcd.etcdctl(['get', '/t/a', '--print-value-only'])).toBe('hello world');
  });

  it('throws with etcdctl stderr on a bad command', async () => {
    await expect(etcd.etcdctl(['get'])).rejects.toThrow(/etcdctl .*get failed \(exit \d+\): .*get command needs one argument/);
  });

  it('applies 125 puts in one transaction (one revision)', async () => {
    const before = JSON.parse(await etcd.etcdctl(['get', '/', '-w', 'json'])) as { header: { revision: number } };
    const ops = Array.from({ length: 125 }, (_, i) => ({ put: [`/txn/k${i}`, `{"n": ${i}, "s": "a b\\"c"}`] as const }));
    const result = await etcdctlTxn(etcd, [...ops, { del: '/t/a' }]);
    expect(result).toEqual({ revision: before.header.revision + 1, succeeded: true });

    const listed = JSON.parse(await etcd.etcdctl(['get', '--prefix', '/txn/', '-w', 'json'])) as {
      kvs: Array<{ key: string; value: string; mod_revision: number }>;
    };
    expect(listed.kvs).toHaveLength(125);
    expect(new Set(listed.kvs.map((kv) => kv.mod_revision))).toEqual(new Set([result.revision]));
    expect(await etcd.etcdctl(['get', '/txn/k7', '--print-value-only'])).toBe('{"n": 7, "s": "a b\\"c"}');
    expect(await etcd.etcdctl(['get', '/t/a'])).toBe('');
  });

  it('restarts on the same port and data dir, and stop leaves no process', async () => {
    await etcd.etcdctl(['put', '/t/kept', 'yes']);
    const { endpoint, pid: firstPid } = etcd;
    await etcd.restart();
    expect(pidExists(firstPid)).toBe(false);
    expect(etcd.endpoint).toBe(endpoint);
    expect(etcd.pid).not.toBe(firstPid);
    expect(await etcd.etcdctl(['get', '/t/kept', '--print-value-only'])).toBe('yes');

    await etcd.kill9();
    await etcd.restart();
    expect(await etcd.etcdctl(['get', '/t/kept', '--print-value-only'])).toBe('yes');

    const pid = etcd.pid;
    await etcd.stop();
    expect(pidExists(pid)).toBe(false);
    await expect(etcd.etcdctl(['get', '/t/kept', '--dial-timeout=300ms', '--command-timeout=500ms'])).rejects.toThrow();
  });

  it('dispose removes the data dir', async () => {
    const other = await startEtcd();
    const { pid, dataDir } = other;
    expect(existsSync(dataDir)).toBe(true);
    await other.dispose();
    await other.dispose();
    expect(pidExists(pid)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('fails with the log tail when its fixed port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      await expect(startEtcd({ clientPort: taken, peerPort: await freePort() })).rejects.toThrow(
        /etcd did not become ready: etcd exited during start-up[\s\S]*address already in use/,
      );
    } finally {
      blocker.close();
    }
  });
});
