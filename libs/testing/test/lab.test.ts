import { existsSync, readlinkSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, makeLabPrefix, pidExists, startLabEtcd, waitFor, type EtcdServer, type Lab } from '../src/index.js';
import { ownerFilePath } from '../src/lab/owner.js';
import { addNetns, deleteNetns, listNetns } from '../src/lab/netns.js';

const labNamespaces = async (prefix: string): Promise<string[]> =>
  (await listNetns()).filter((ns) => ns.startsWith(`${prefix}-`));

describe('createLab', () => {
  let lab: Lab;
  let etcd: EtcdServer;
  beforeAll(async () => {
    lab = await createLab({ hosts: 2 });
    etcd = await startLabEtcd(lab);
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('names everything after a short run-unique prefix', async () => {
    expect(lab.prefix).toMatch(new RegExp(`^ft${process.pid.toString(36)}[a-z0-9]{3}$`));
    expect(lab.switchNs).toBe(`${lab.prefix}-sw`);
    expect(lab.hosts).toEqual([
      { name: 'h1', ns: `${lab.prefix}-h1`, ip: '192.0.2.11', iface: 'eth0' },
      { name: 'h2', ns: `${lab.prefix}-h2`, ip: '192.0.2.12', iface: 'eth0' },
    ]);
    expect((await labNamespaces(lab.prefix)).sort()).toEqual([...lab.namespaces].sort());
    expect(existsSync(ownerFilePath(lab.prefix))).toBe(true);
  });

  it('wires the hosts to the switch: h1 pings h2, routes and sysctl as specified', async () => {
    const [h1, h2] = lab.hosts as [(typeof lab.hosts)[0], (typeof lab.hosts)[0]];
    const ping = await lab.exec(h1.ns, ['ping', '-c1', '-W1', h2.ip]);
    expect(ping.exitCode, ping.stderr).toBe(0);

    const link = await lab.exec(h1.ns, ['ip', '-o', 'link', 'show', 'eth0']);
    expect(link.stdout).toMatch(/mtu 1500 .*state UP/);
    expect((await lab.exec(h1.ns, ['ip', 'route', 'show', 'default'])).stdout).toContain('default via 192.0.2.1 dev eth0');
    expect((await lab.exec(h2.ns, ['sysctl', '-n', 'net.ipv4.ip_forward'])).stdout).toBe('1');
    const ports = (await lab.exec(lab.switchNs, ['ip', '-o', 'link', 'show', 'master', 'br0'])).stdout;
    expect(ports.split('\n').map((line) => line.split(': ')[1]?.split('@')[0]).sort()).toEqual(['h1', 'h2']);
  });

  it('runs etcd in the switch namespace, reachable from a host namespace', async () => {
    expect(etcd.endpoint).toBe('http://192.0.2.1:2379');
    await etcd.etcdctl(['put', '/lab/key', 'from-switch']);
    const health = await lab.exec(lab.hosts[0]!.ns, ['etcdctl', '--endpoints=http://192.0.2.1:2379', 'endpoint', 'health'], {
      env: { ETCDCTL_API: '3' },
    });
    expect(health.exitCode, health.stderr).toBe(0);
    expect(health.stdout + health.stderr).toContain('is healthy');
  });

  it('refuses to exec or spawn outside its namespaces', () => {
    for (const ns of ['', 'root', '1', `${lab.prefix}-h9`, 'ftother-h1']) {
      expect(() => lab.spawn(ns, ['sleep', '30'])).toThrow(/refusing to start sleep 30 in namespace/);
      expect(() => lab.exec(ns, ['true'])).toThrow(/refusing to run true in namespace/);
    }
  });

  it('tracks the real pid of a spawned command (ip netns exec execs it)', async () => {
    const ns = lab.hosts[1]!.ns;
    const sleeper = lab.spawn(ns, ['sleep', '30']);
    const exe = await waitForExe(sleeper.pid);
    expect(exe).toMatch(/\/sleep$/);
    expect(readlinkSync(`/proc/${sleeper.pid}/ns/net`)).toBe(`net:[${statSync(`/run/netns/${ns}`).ino}]`);

    const exit = await sleeper.stop();
    expect(exit.signal).toBe('SIGTERM');
    expect(pidExists(sleeper.pid)).toBe(false);
  });

  it('destroy stops tracked processes and etcd, deletes every namespace, and is idempotent', async () => {
    const worker = lab.spawn(lab.hosts[0]!.ns, ['sleep', '30']);
    const etcdPid = etcd.pid;
    await lab.destroy();
    await lab.destroy();
    expect(pidExists(worker.pid)).toBe(false);
    expect(pidExists(etcdPid)).toBe(false);
    expect(await labNamespaces(lab.prefix)).toEqual([]);
    expect(existsSync(ownerFilePath(lab.prefix))).toBe(false);
    expect(() => lab.spawn(lab.hosts[0]!.ns, ['true'])).toThrow(/being destroyed/);
  });
});

/** The exe link flips from `ip` to the command once ip netns exec has exec'd it. */
function waitForExe(pid: number): Promise<string> {
  return waitFor(
    () => {
      const exe = readlinkSync(`/proc/${pid}/exe`);
      return !exe.endsWith('/ip') && exe;
    },
    { intervalMs: 10, what: `process ${pid} to exec its command` },
  );
}

describe('createLab refusals', () => {
  it('refuses a prefix whose namespaces exist and leaves them alone', async () => {
    const prefix = makeLabPrefix();
    await addNetns(`${prefix}-h2`);
    try {
      await expect(createLab({ hosts: 2, prefix })).rejects.toThrow(
        `lab prefix ${prefix} is taken: namespace(s) ${prefix}-h2 already exist`,
      );
      expect(await labNamespaces(prefix)).toEqual([`${prefix}-h2`]);
      expect(existsSync(ownerFilePath(prefix))).toBe(false);
    } finally {
      await deleteNetns(`${prefix}-h2`);
    }
  });

  it('validates the host count and prefix before touching anything', async () => {
    await expect(createLab({ hosts: 0 })).rejects.toThrow('createLab hosts must be an integer from 1 to 200, got 0');
    await expect(createLab({ hosts: 1, prefix: 'Bad-Prefix' })).rejects.toThrow(/lab prefix "Bad-Prefix" must be/);
  });
});
