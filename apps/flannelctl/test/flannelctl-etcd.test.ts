import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEtcd, tempDir, type EtcdServer, type TempDir } from '@flannel-ts/testing';
import { assertBuilt, flannelctl, golden } from './ctl-harness.js';

let etcd: EtcdServer;
let tmp: TempDir;
let prefixNumber = 0;

/** A prefix of its own for each test, and flannelctl pointed at it. */
function network() {
  const prefix = `/flannelctl-test/${++prefixNumber}`;
  const ctl = (args: readonly string[], options: { env?: Record<string, string>; input?: string } = {}) =>
    flannelctl(['--etcd-endpoints', etcd.endpoint, '--etcd-prefix', prefix, ...args], options);
  const put = (key: string, value: string) => etcd.etcdctl(['put', `${prefix}/${key}`, '--', value]);
  return { prefix, ctl, put };
}

const VXLAN_CONFIG = '{"Network":"10.5.0.0/16","Backend":{"Type":"vxlan","VNI":5}}';
const lease = (ip: string, mac?: string) =>
  JSON.stringify({ PublicIP: ip, PublicIPv6: null, BackendType: 'vxlan', ...(mac ? { BackendData: { VNI: 5, VtepMAC: mac } } : {}) });

function file(name: string, content: string): string {
  const p = path.join(tmp.path, `${++prefixNumber}-${name}`);
  writeFileSync(p, content);
  return p;
}

/** Cells of a table line (columns are two or more spaces apart). */
const cells = (line: string) => line.split(/ {2,}/);

beforeAll(async () => {
  assertBuilt();
  tmp = tempDir('flannelctl-test');
  etcd = await startEtcd();
});

afterAll(async () => {
  await etcd?.dispose();
  await tmp?.remove();
});

describe('flannelctl config', () => {
  test('set from stdin, then get prints it as stored; --json decodes it', async () => {
    const { ctl, prefix } = network();
    const text = '{"Network": "10.5.0.0/16",\n "Backend": {"Type": "vxlan", "VNI": 5}}\n';
    expect(await ctl(['config', 'set', '-'], { input: text })).toMatchObject({ exitCode: 0, stdout: `stored ${prefix}/config`, stderr: '' });
    expect(await ctl(['config', 'get'])).toMatchObject({ exitCode: 0, stdout: text.trimEnd() });
    const json = await ctl(['config', 'get', '--json']);
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ key: `${prefix}/config`, raw: text, config: JSON.parse(text) });
  });

  test('check lists every problem, one line each, and exits 3; a good config exits 0', async () => {
    const { ctl } = network();
    const bad = file('bad.json', '{"Network":"10.5.0.0/16","SubnetLen":"24","SubnetMax":"10.9.0.0","Backend":{"Type":"vxlan","VNI":-3,"GBP":"yes"}}');
    const result = await ctl(['config', 'check', bad]);
    expect(result).toMatchObject({ exitCode: 3, stderr: '' });
    expect(result.stdout).toBe(golden('check-problems.txt', `${result.stdout}\n`).trimEnd());
    const json = await ctl(['config', 'check', '--json', bad]);
    expect(json.exitCode).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problems: [{ field: 'SubnetLen' }, { field: 'SubnetMax' }, { field: 'Backend.VNI' }, { field: 'Backend.GBP' }] });
    expect(await ctl(['config', 'check', '-'], { input: VXLAN_CONFIG })).toMatchObject({ exitCode: 0, stdout: 'config ok' });
  });

  test('check without a file checks the stored config; a missing one is one line, exit 1', async () => {
    const { ctl, put, prefix } = network();
    expect(await ctl(['config', 'check'])).toMatchObject({ exitCode: 1, stdout: '', stderr: `flannelctl: no network config in etcd (key ${prefix}/config)` });
    await put('config', '{"Network":"10.5.0.0/16","Backend":{"Type":"wormhole"}}');
    const result = await ctl(['config', 'check']);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toMatch(/^config: Backend.Type: unknown backend type "wormhole"/);
  });

  test('set refuses a config with problems and writes nothing', async () => {
    const { ctl } = network();
    expect((await ctl(['config', 'set', '-'], { input: VXLAN_CONFIG })).exitCode).toBe(0);
    const result = await ctl(['config', 'set', file('bad.json', '{"Network":"10.5.0.0/30","EnableIPv6":true}')]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr.split('\n')).toEqual([
      'flannelctl: config: EnableIPv6: IPv6 is not supported (flannel-ts is IPv4 only; remove EnableIPv6 or set it to false)',
      'flannelctl: config: Network: network is too small. Minimum useful network prefix is /28 (got 10.5.0.0/30)',
      expect.stringMatching(/^flannelctl: config set: refused .*bad\.json \(2 problems\); nothing written$/),
    ]);
    expect((await ctl(['config', 'get'])).stdout).toBe(VXLAN_CONFIG);
  });

  test('a missing file is one line naming it, exit 1', async () => {
    const { ctl } = network();
    expect(await ctl(['config', 'set', '/nonexistent/net.json'])).toMatchObject({ exitCode: 1, stderr: 'flannelctl: reading /nonexistent/net.json: ENOENT' });
  });

  test('--network NAME reads <prefix>/<name>/config', async () => {
    const { ctl, put } = network();
    await put('blue/config', '{"Network":"10.7.0.0/16"}');
    expect(await ctl(['config', 'get', '--network', 'blue'])).toMatchObject({ exitCode: 0, stdout: '{"Network":"10.7.0.0/16"}' });
    expect((await ctl(['free', '--network=blue'])).stdout.split('\n')[0]).toBe('255 of 255 /24 subnets free in 10.7.0.0/16 (10.7.1.0-10.7.255.0)');
  });
});

describe('flannelctl leases', () => {
  test('table and --json (golden): reservations, backend data, an unreadable key', async () => {
    const { ctl, put } = network();
    await put('config', VXLAN_CONFIG);
    await put('subnets/10.5.12.0-24', lease('192.0.2.12', 'aa:bb:cc:00:00:12'));
    await put('subnets/10.5.3.0-24', lease('192.0.2.3', 'aa:bb:cc:00:00:03'));
    await put('subnets/10.5.200.0-24', JSON.stringify({ PublicIP: '192.0.2.200' }));
    await put('subnets/10.5.9.0-24', 'not json');
    const table = await ctl(['leases']);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toBe(golden('leases.txt', `${table.stdout}\n`).trimEnd());
    expect(table.stderr).toMatch(/^flannelctl: unreadable key \/flannelctl-test\/\d+\/subnets\/10\.5\.9\.0-24: .*not JSON/);
    const json = await ctl(['leases', '--json']);
    expect(json.exitCode).toBe(0);
    expect(json.stdout.replace(/flannelctl-test\/\d+/g, 'flannelctl-test/N')).toBe(golden('leases.json', `${json.stdout.replace(/flannelctl-test\/\d+/g, 'flannelctl-test/N')}\n`).trimEnd());
  });

  test('a lease with a TTL shows the time left and is not reserved', async () => {
    const { ctl, prefix } = network();
    const granted = await etcd.etcdctl(['lease', 'grant', '3600']);
    const id = /lease ([0-9a-f]+) granted/.exec(granted)![1]!;
    await etcd.etcdctl(['put', '--lease', id, `${prefix}/subnets/10.5.4.0-24`, lease('192.0.2.4')]);
    const rows = (await ctl(['leases'])).stdout.split('\n').map(cells);
    expect(rows[1]).toEqual(['10.5.4.0/24', '192.0.2.4', 'vxlan', '-', expect.stringMatching(/^(59m\d+s|1h0m0s)$/), 'no']);
    const [row] = JSON.parse((await ctl(['leases', '--json'])).stdout).leases;
    expect(row).toMatchObject({ subnet: '10.5.4.0/24', reserved: false, ttlSeconds: expect.any(Number) });
    expect(row.ttlSeconds).toBeGreaterThan(0);
    expect(row.ttlSeconds).toBeLessThanOrEqual(3600);
  });

  test('reserve and unreserve, seen in leases; a taken or misfit subnet is refused in one line', async () => {
    const { ctl, put } = network();
    await put('config', VXLAN_CONFIG);
    expect(await ctl(['reserve', '10.5.7.0/24', '192.0.2.7'])).toMatchObject({ exitCode: 0, stdout: 'reserved 10.5.7.0/24 for 192.0.2.7' });
    const reserved = JSON.parse((await ctl(['leases', '--json'])).stdout).leases;
    expect(reserved).toEqual([expect.objectContaining({ subnet: '10.5.7.0/24', publicIp: '192.0.2.7', reserved: true, ttlSeconds: null })]);
    expect((await ctl(['leases'])).stdout.split('\n').map(cells)[1]).toEqual(['10.5.7.0/24', '192.0.2.7', '-', '-', '-', 'yes']);

    expect(await ctl(['reserve', '10.5.7.0/24', '192.0.2.8'])).toMatchObject({
      exitCode: 1,
      stderr: 'flannelctl: reserve 10.5.7.0/24: subnet: lease already taken: 10.5.7.0/24 is held by 192.0.2.7',
    });
    expect(await ctl(['reserve', '10.6.7.0/24', '192.0.2.8'])).toMatchObject({
      exitCode: 1,
      stderr: 'flannelctl: reserve 10.6.7.0/24: reservation subnet is outside of flannel network',
    });
    expect(await ctl(['reserve', '10.5.7.1/24', '192.0.2.8'])).toMatchObject({ exitCode: 1, stderr: expect.stringContaining('SUBNET "10.5.7.1/24"') });

    expect(await ctl(['unreserve', '10.5.7.0/24'])).toMatchObject({ exitCode: 0 });
    const [row] = JSON.parse((await ctl(['leases', '--json'])).stdout).leases;
    expect(row).toMatchObject({ subnet: '10.5.7.0/24', publicIp: '192.0.2.7', reserved: false });
    expect(row.ttlSeconds).toBeGreaterThan(23 * 3600);
    expect(await ctl(['unreserve', '10.5.8.0/24'])).toMatchObject({ exitCode: 1, stderr: 'flannelctl: unreserve 10.5.8.0/24: no lease or reservation holds it' });
  });
});

describe('flannelctl free', () => {
  test('count and the first ones (golden); --all lists every one', async () => {
    const { ctl, put } = network();
    await put('config', VXLAN_CONFIG);
    await put('subnets/10.5.1.0-24', lease('192.0.2.1'));
    await put('subnets/10.5.3.0-24', lease('192.0.2.3'));
    const text = await ctl(['free']);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toBe(golden('free.txt', `${text.stdout}\n`).trimEnd());
    const all = JSON.parse((await ctl(['free', '--all', '--json'])).stdout);
    expect(all).toMatchObject({ network: '10.5.0.0/16', subnetLen: 24, total: 255, free: 253, complete: true });
    expect(all.subnets).toHaveLength(253);
    expect(all.subnets.slice(0, 3)).toEqual(['10.5.2.0/24', '10.5.4.0/24', '10.5.5.0/24']);
    const json = await ctl(['free', '--json']);
    expect(json.stdout).toBe(golden('free.json', `${json.stdout}\n`).trimEnd());
  });

  test('10.0.0.0/8 of /24s: 65535 counted; --all lists them all', async () => {
    const { ctl, put } = network();
    await put('config', '{"Network":"10.0.0.0/8"}');
    await put('subnets/10.1.0.0-16', lease('192.0.2.1'));
    const head = (await ctl(['free'])).stdout.split('\n');
    expect(head[0]).toBe('65279 of 65535 /24 subnets free in 10.0.0.0/8 (10.0.1.0-10.255.255.0)');
    expect(head.at(-1)).toBe('... and 65259 more (--all lists them)');
    const all = await ctl(['free', '--all']);
    const lines = all.stdout.split('\n');
    expect(lines).toHaveLength(1 + 65279);
    expect(lines).not.toContain('10.1.0.0/24');
  });
});

describe('flannelctl usage and failures', () => {
  test('a bad flag, a missing argument, an unknown command: one line, exit 2', async () => {
    const { ctl } = network();
    for (const [args, line] of [
      [['leases', '--bogus'], "flannelctl: flag provided but not defined: -bogus (see 'flannelctl leases --help')"],
      [['reserve', '10.5.7.0/24'], "flannelctl: reserve needs SUBNET PUBLIC-IP (see 'flannelctl reserve --help')"],
      [['frobnicate'], "flannelctl: unknown command: frobnicate (see 'flannelctl --help')"],
      [['leases', '--all'], "flannelctl: leases takes no --all (see 'flannelctl leases --help')"],
      [[], "flannelctl: no command given (see 'flannelctl --help')"],
    ] as const) {
      expect(await ctl(args), args.join(' ')).toMatchObject({ exitCode: 2, stdout: '', stderr: line });
    }
    expect(await ctl(['leases', '--network', 'a/b'])).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(/^flannelctl: invalid value "a\/b" for flag -network: [^\n]+$/) });
  });

  test('--help per command, exit 0', async () => {
    const result = await flannelctl(['free', '--help']);
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: flannelctl free \[OPTION\]\.\.\.\n/);
    expect(result.stdout).toContain('-all');
    expect(result.stdout).toContain('-etcd-endpoints');
  });

  test('FLANNELD_ETCD_ENDPOINTS and FLANNELD_ETCD_PREFIX are read as flanneld reads them', async () => {
    const { prefix, put } = network();
    await put('config', VXLAN_CONFIG);
    const result = await flannelctl(['config', 'get'], { env: { FLANNELD_ETCD_ENDPOINTS: etcd.endpoint, FLANNELD_ETCD_PREFIX: prefix } });
    expect(result).toMatchObject({ exitCode: 0, stdout: VXLAN_CONFIG });
  });

  test('etcd down: one line naming the endpoint, exit 1', async () => {
    // The discard port: nothing listens there, and unlike a freed port no parallel test can take it.
    const endpoint = 'http://127.0.0.1:9';
    for (const args of [['leases'], ['config', 'get'], ['reserve', '10.5.7.0/24', '192.0.2.7']]) {
      const result = await flannelctl(['--etcd-endpoints', endpoint, ...args]);
      expect(result.exitCode, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^flannelctl: etcd ${endpoint.replaceAll('.', '\\.')}: [^\\n]+$`));
    }
  });
});
