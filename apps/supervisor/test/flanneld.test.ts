import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdctlTxn, waitFor, type EtcdServer, type Lab, type TempDir } from '@flannel-ts/testing';
import { ALLOC_CONFIG, assertBuilt, CONFIG_KEY, envValue, FLANNELD, startFlanneld, type Daemon } from '@flannel-ts/testing';
import { daemonIdentity } from '../src/daemon-identity.js';
import { startDaemonLab, stopAll, type DaemonLab } from './daemon-lab.js';

let dl: DaemonLab;
let lab: Lab;
let etcd: EtcdServer;
let tmp: TempDir;

beforeAll(async () => {
  assertBuilt();
  dl = await startDaemonLab('flanneld-test');
  ({ lab, etcd, tmp } = dl);
});
afterAll(async () => {
  await dl?.destroy();
});

const fresh = () => dl.fresh();
const leaseIds = () => dl.leaseIds();

const HOST_GW_CONFIG = '{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}';

const waitForEnv = (d: Daemon) => waitFor(() => d.env(), { what: `${d.host.name}'s subnet file` });

const DEBUG = 20;
const ERROR = 50;

/** Every JSON log record of a daemon so far: its pino level and message. */
function logRecords(d: Daemon): Array<{ level: number; msg: string }> {
  return readLog(path.join(d.dir, 'flanneld.log'));
}

function readLog(file: string): Array<{ level: number; msg: string }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string });
}

/**
 * Runs `command` (flanneld, perhaps behind a wrapper) on host 0 with the paths startFlanneld uses,
 * until it exits; its exit status and log messages.
 */
async function runFlanneldUntilExit(
  dir: string,
  command: string[],
  options: { stateDir?: string; env?: Record<string, string | undefined> } = {},
): Promise<{ code: number | null; messages: string[] }> {
  const logFile = path.join(dir, 'flanneld.log');
  const args = [
    `--etcd-endpoints=http://${lab.switchIp}:2379`,
    `--subnet-file=${path.join(dir, 'run', 'subnet.env')}`,
    `--state-dir=${options.stateDir ?? path.join(dir, 'state')}`,
    '--iface=eth0',
  ];
  await mkdir(dir, { recursive: true });
  await rm(logFile, { force: true });
  const proc = lab.spawn(lab.hosts[0]!.ns, [...command, ...args], { env: options.env, stdout: logFile, stderr: logFile });
  try {
    await waitFor(() => proc.hasExited(), { what: `${command.join(' ')} to exit` });
  } finally {
    await proc.stop();
  }
  const { code } = await proc.exited;
  return { code, messages: readLog(logFile).map((r) => r.msg) };
}

describe('flanneld with the alloc backend', () => {
  it('started before the config exists, leases once the config is put', async () => {
    const dir = await fresh();
    const d = await startFlanneld(lab, lab.hosts[0]!, dir);
    await waitFor(() => d.messages().some((m) => m.startsWith("Couldn't fetch network config")), {
      what: 'flanneld to report the missing config',
    });
    await etcd.etcdctl(['put', CONFIG_KEY, ALLOC_CONFIG]);
    const env = await waitForEnv(d);
    expect(envValue(env, 'FLANNEL_NETWORK')).toBe('10.244.0.0/16');
    expect(envValue(env, 'FLANNEL_MTU')).toBe('1500');
    expect(envValue(env, 'FLANNEL_IPMASQ')).toBe('false');
    const subnet = envValue(env, 'FLANNEL_SUBNET')!;
    expect(subnet).toMatch(/^10\.244\.\d+\.1\/24$/);
    const key = `/coreos.com/network/subnets/${subnet.replace('.1/24', '.0-24')}`;
    expect((await etcd.etcdctl(['get', key, '--print-value-only'])).trim()).toBe(
      `{"PublicIP":"${lab.hosts[0]!.ip}","PublicIPv6":null}`,
    );
    await stopAll(d);
  });

  it('keeps retrying on an invalid config, naming the problem, and leases once it is fixed', async () => {
    const dir = await fresh();
    await etcd.etcdctl(['put', CONFIG_KEY, '{"Network":"10.244.0.0/16","SubnetLen":31,"Backend":{"Type":"alloc"}}']);
    const d = await startFlanneld(lab, lab.hosts[0]!, dir);
    await waitFor(() => d.messages().find((m) => m.includes('SubnetLen') && m.includes('/31')), {
      what: 'the config error to be logged',
    });
    expect(d.proc.hasExited()).toBe(false);
    await etcd.etcdctl(['put', CONFIG_KEY, ALLOC_CONFIG]);
    await waitForEnv(d);
    await stopAll(d);
  });

  it('sends READY=1 exactly once, after the env file holds its final content, not again on renewals, backend restarts or a new lease', async () => {
    const dir = await fresh();
    await etcd.etcdctl(['put', CONFIG_KEY, HOST_GW_CONFIG]);
    const socketPath = path.join(tmp.path, `notify-${path.basename(dir)}.sock`);
    const outFile = path.join(tmp.path, `notify-${path.basename(dir)}.out`);
    const subnetFile = path.join(dir, 'run', 'subnet.env');
    const receiver = lab.spawn(lab.hosts[0]!.ns, ['python3', fileURLToPath(new URL('./notify-receiver.py', import.meta.url)), socketPath, subnetFile], {
      stdout: outFile,
    });
    const received = () =>
      existsSync(outFile)
        ? readFileSync(outFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg?: string; pid?: number | null; env?: string | null; listening?: boolean })
        : [];
    const notifications = () => received().filter((r) => r.msg !== undefined);
    await waitFor(() => received().some((r) => r.listening), { what: 'the notify receiver' });
    // A short lease so that it is renewed while the test runs.
    const d = await startFlanneld(lab, lab.hosts[0]!, dir, {
      env: { NOTIFY_SOCKET: socketPath },
      args: ['--subnet-lease-ttl=10s', '--subnet-lease-renew-margin=5s'],
    });
    await waitFor(() => notifications().length > 0, { what: 'READY=1' });
    const ready = notifications()[0]!;
    expect(ready.msg).toBe('READY=1');
    // From flanneld's own process (systemd's NotifyAccess=main), which its backend names.
    const supervisorPid = await waitFor(() => d.messages().map((m) => /supervisor pid (\d+)\)/.exec(m)?.[1]).find(Boolean), { what: 'the backend\'s start' });
    expect(ready.pid).toBe(Number(supervisorPid));
    // What the file held when READY=1 arrived is the file of the lease, complete.
    expect(ready.env).toBe(d.env());
    expect(envValue(ready.env!, 'FLANNEL_SUBNET')).toMatch(/^10\.244\.\d+\.1\/24$/);
    expect(ready.env).toContain('FLANNEL_IPMASQ=false\n');

    // Renewals.
    await waitFor(() => d.messages().filter((m) => m.startsWith('Lease renewed')).length >= 2, { what: 'two lease renewals' });
    // A backend crash and restart.
    const started = () => d.messages().flatMap((m) => /^Started backend .* \(pid (\d+)\)$/.exec(m)?.[1] ?? []);
    const [backendPid] = await waitFor(() => started().length === 1 && started(), { what: 'the backend' });
    process.kill(Number(backendPid), 'SIGKILL');
    await waitFor(() => started().length === 2, { what: 'the backend to be restarted' });
    // A new lease: another host took ours.
    const before = envValue(d.env(), 'FLANNEL_SUBNET')!;
    const key = `/coreos.com/network/subnets/${before.replace('.1/24', '.0-24')}`;
    await etcd.etcdctl(['put', key, '{"PublicIP":"192.0.2.77","PublicIPv6":null}']);
    await waitFor(() => envValue(d.env(), 'FLANNEL_SUBNET') !== before, { what: 'the env file to be rewritten' });
    // A peer, logged after all the above, marks the point up to which nothing else may have been sent.
    await etcd.etcdctl(['put', '/coreos.com/network/subnets/10.244.200.0-24', `{"PublicIP":"${lab.hosts[1]!.ip}","PublicIPv6":null}`]);
    await waitFor(() => d.messages().includes(`Subnet added: 10.244.200.0/24 via ${lab.hosts[1]!.ip}`), { what: 'the peer' });
    await stopAll(d);
    await receiver.stop();
    expect(notifications()).toEqual([ready]);
  });

  it('exits 0 on SIGTERM keeping its lease, and a restart (after SIGTERM or SIGKILL) reuses it without leaking etcd leases', async () => {
    const dir = await fresh();
    await etcd.etcdctl(['put', CONFIG_KEY, ALLOC_CONFIG]);
    const d = await startFlanneld(lab, lab.hosts[1]!, dir);
    const first = envValue(await waitForEnv(d), 'FLANNEL_SUBNET');
    const exit = await d.proc.stop();
    expect(exit, d.messages().join('\n')).toEqual({ code: 0, signal: null });
    expect(d.messages().at(-1)).toBe('Exiting cleanly...');
    expect(await etcd.etcdctl(['get', '--prefix', '/coreos.com/network/subnets/', '--keys-only'])).toContain(first!.replace('.1/24', '.0-24'));

    d.restart();
    await waitFor(() => d.messages().some((m) => m.startsWith('Found lease') && m.endsWith('reusing')), { what: 'reuse after SIGTERM' });
    d.proc.kill('SIGKILL');
    await d.proc.exited;
    d.restart();
    await waitFor(() => d.messages().filter((m) => m.startsWith('Found lease') && m.endsWith('reusing')).length === 2, {
      what: 'reuse after SIGKILL',
    });
    expect(envValue(d.env(), 'FLANNEL_SUBNET')).toBe(first);
    expect(await leaseIds()).toHaveLength(1);
    await stopAll(d);
  });

  it('sees the other hosts, and applies 500 leases put in 4 transactions and deleted the same way exactly once each', async () => {
    const dir = await fresh();
    // a and b lease from 10.244.0.0/16; the 500 peers sit elsewhere in the network, so no clash.
    await etcd.etcdctl(['put', CONFIG_KEY, '{"Network":"10.0.0.0/8","SubnetMin":"10.244.0.0","SubnetMax":"10.244.255.0","Backend":{"Type":"alloc"}}']);
    const [a, b] = await Promise.all([
      startFlanneld(lab, lab.hosts[0]!, path.join(dir, 'a')),
      startFlanneld(lab, lab.hosts[1]!, path.join(dir, 'b')),
    ]);
    const [envA, envB] = await Promise.all([waitForEnv(a), waitForEnv(b)]);
    const subnetB = envValue(envB, 'FLANNEL_SUBNET')!.replace('.1/24', '.0/24');
    await waitFor(() => a.messages().includes(`Subnet added: ${subnetB} via ${lab.hosts[1]!.ip}`), { what: 'a to see b' });
    expect(envValue(envA, 'FLANNEL_SUBNET')).not.toBe(envValue(envB, 'FLANNEL_SUBNET'));

    const key = (i: number) => `/coreos.com/network/subnets/10.${100 + Math.floor(i / 250)}.${i % 250}.0-24`;
    const subnet = (i: number) => `10.${100 + Math.floor(i / 250)}.${i % 250}.0/24`;
    for (let t = 0; t < 4; t++) {
      await etcdctlTxn(etcd, Array.from({ length: 125 }, (_, j) => ({ put: [key(t * 125 + j), `{"PublicIP":"192.0.2.${200 + (j % 50)}"}`] as [string, string] })));
    }
    const added = () => a.messages().filter((m) => m.startsWith('Subnet added: 10.1'));
    await waitFor(() => added().length >= 500, { what: '500 peers added' });
    for (let t = 0; t < 4; t++) {
      await etcdctlTxn(etcd, Array.from({ length: 125 }, (_, j) => ({ del: key(t * 125 + j) })));
    }
    const removed = () => a.messages().filter((m) => m.startsWith('Subnet removed: 10.1'));
    await waitFor(() => removed().length >= 500, { what: '500 peers removed' });
    for (let i = 0; i < 500; i++) {
      expect(added().filter((m) => m.startsWith(`Subnet added: ${subnet(i)} via`))).toHaveLength(1);
      expect(removed().filter((m) => m.startsWith(`Subnet removed: ${subnet(i)} via`))).toHaveLength(1);
    }
    await stopAll(a, b);
  });

  it('moves to a new subnet and rewrites the env file when another host took its lease', async () => {
    const dir = await fresh();
    await etcd.etcdctl(['put', CONFIG_KEY, ALLOC_CONFIG]);
    const d = await startFlanneld(lab, lab.hosts[2]!, dir);
    const before = envValue(await waitForEnv(d), 'FLANNEL_SUBNET')!;
    const key = `/coreos.com/network/subnets/${before.replace('.1/24', '.0-24')}`;
    // Another host now holds the subnet.
    await etcd.etcdctl(['put', key, '{"PublicIP":"192.0.2.77","PublicIPv6":null}']);
    const after = await waitFor(() => {
      const s = envValue(d.env(), 'FLANNEL_SUBNET');
      return s !== before && s;
    }, { what: 'the env file to be rewritten' });
    expect(after).toMatch(/^10\.244\.\d+\.1\/24$/);
    expect(d.messages().some((m) => m.startsWith('Lease changed:'))).toBe(true);
    expect((await etcd.etcdctl(['get', key, '--print-value-only'])).trim()).toContain('192.0.2.77');
    await stopAll(d);
  });

  it('installs ip-masq and forward rules with --ip-masq, keeps them on SIGTERM, and removes masquerading when restarted without it', async () => {
    const dir = await fresh();
    await etcd.etcdctl(['put', CONFIG_KEY, ALLOC_CONFIG]);
    const ns = lab.hosts[2]!.ns;
    const d = await startFlanneld(lab, lab.hosts[2]!, dir, { args: ['--ip-masq', '--ip-masq-backend=iptables'] });
    const env = await waitForEnv(d);
    expect(envValue(env, 'FLANNEL_IPMASQ')).toBe('true');
    const subnet = envValue(env, 'FLANNEL_SUBNET')!.replace('.1/24', '.0/24');
    const nat = async () => (await lab.exec(ns, ['iptables-nft-save', '-t', 'nat'])).stdout;
    await waitFor(async () => (await nat()).includes('-A FLANNEL-POSTRTG'), { what: 'the masquerade chain' });
    expect(await nat()).toContain(`-A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d ${subnet} -m comment --comment "flanneld masq" -j RETURN`);
    expect((await lab.exec(ns, ['iptables-nft-save', '-t', 'filter'])).stdout).toContain('-A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT');
    expect((await d.proc.stop()).code).toBe(0);
    expect(await nat()).toContain('-A FLANNEL-POSTRTG');
    const again = await startFlanneld(lab, lab.hosts[2]!, dir, { args: ['--ip-masq=false', '--ip-masq-backend=iptables'] });
    await waitFor(async () => !(await nat()).includes('FLANNEL-POSTRTG'), { what: 'the masquerade chain to go' });
    expect((await lab.exec(ns, ['iptables-nft-save', '-t', 'filter'])).stdout).toContain('FLANNEL-FWD');
    await stopAll(again);
  });

  it('waits on an unknown or invalid Backend, one error line per distinct problem with values cut short, and leases once it is fixed', async () => {
    const dir = await fresh();
    const known = '(known types: udp, vxlan, host-gw, aws-vpc, gce, alloc)';
    const bad: Array<[string, string]> = [
      ['{"Network":"10.244.0.0/16","Backend":{"Type":"warp"}}', `Backend.Type: unknown backend type "warp" ${known}`],
      [
        JSON.stringify({ Network: '10.244.0.0/16', Backend: { Type: 'w'.repeat(1 << 20) } }),
        `Backend.Type: unknown backend type "${'w'.repeat(64)}…" (1048576 chars) ${known}`,
      ],
      ['{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan","VNI":16777216}}', 'Backend.VNI: must be between 0 and 16777215 (got 16777216)'],
      ['{"Network":"10.244.0.0/16","Backend":{"Type":"udp","Port":0}}', 'Backend.Port: must be between 1 and 65535 (got 0)'],
      ['{"Network":"10.244.0.0/16","Backend":{"Type":"udp","Offloads":"yes"}}', 'Backend.Offloads: must be true or false (got "yes")'],
    ];
    // -v=1 shows the loop's quiet (debug) repeats, which prove it re-read the same config.
    const d = await startFlanneld(lab, lab.hosts[0]!, dir, { args: ['-v=1'] });
    for (const [config, problem] of bad) {
      await etcd.etcdctl(['put', CONFIG_KEY], { input: config });
      const line = `Couldn't fetch network config: config: ${problem}`;
      await waitFor(() => logRecords(d).some((r) => r.level === DEBUG && r.msg === line), { what: `a repeat of: ${line}` });
      expect(logRecords(d).filter((r) => r.level === ERROR && r.msg === line)).toHaveLength(1);
      expect(d.proc.hasExited()).toBe(false);
    }
    await etcd.etcdctl(['put', CONFIG_KEY, ALLOC_CONFIG]);
    await waitForEnv(d);
    expect(d.messages().filter((m) => m.startsWith('Found network config'))).toEqual(['Found network config - Backend type: alloc']);
    expect(Math.max(...d.messages().map((m) => m.length))).toBeLessThan(300);
    await stopAll(d);
  });

  it('exits 1 for a known backend whose binary is missing, naming every path searched', async () => {
    const dir = await fresh();
    await etcd.etcdctl(['put', CONFIG_KEY, '{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}']);
    // A copy of flanneld with no backend beside it, and a PATH without any.
    const copy = path.join(dir, 'apps', 'supervisor');
    await cp(path.dirname(FLANNELD), copy, { recursive: true });
    const bin = path.join(copy, 'flanneld');
    const run = await runFlanneldUntilExit(dir, [bin], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', FLANNELD_BACKEND_DIR: undefined } });
    expect(run.code).toBe(1);
    const searched = [copy, path.join(dir, 'apps', 'backend-hostgw'), '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
    expect(run.messages.at(-1)).toBe(
      `backend host-gw: flannel-backend-hostgw not found; searched ${searched.map((d) => path.join(d, 'flannel-backend-hostgw')).join(', ')}`,
    );
  });

  it('exits 1 naming --state-dir, the directory and the real errno when the state dir is on a read-only mount', async () => {
    const dir = await fresh();
    await etcd.etcdctl(['put', CONFIG_KEY, '{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}']);
    // The read-only mounts exist only in a private mount namespace of flanneld's own.
    const privateMounts = (script: string, target: string) => ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `${script} && exec "$@"`, target];

    const empty = path.join(dir, 'ro-empty');
    await mkdir(empty, { recursive: true });
    const missing = path.join(empty, 'flannel');
    const created = await runFlanneldUntilExit(dir, [...privateMounts('mount -t tmpfs -o ro flannel-test "$0"', empty), FLANNELD], {
      stateDir: missing,
    });
    expect(created.code).toBe(1);
    expect(created.messages.at(-1)).toMatch(
      new RegExp(`^--state-dir ${missing}: cannot use ${missing}/[0-9a-f]{16}: EROFS: read-only file system, mkdir '${missing}'$`),
    );

    const existing = path.join(dir, 'ro-existing');
    const { stateDir } = daemonIdentity('/coreos.com/network', path.join(dir, 'run', 'subnet.env'), existing);
    await mkdir(stateDir, { recursive: true });
    const used = await runFlanneldUntilExit(dir, [...privateMounts('mount --bind "$0" "$0" && mount -o remount,bind,ro "$0"', existing), FLANNELD], {
      stateDir: existing,
    });
    expect(used.code).toBe(1);
    expect(used.messages.at(-1)).toBe(`--state-dir ${existing}: cannot use ${stateDir}: EROFS: read-only file system, access '${stateDir}'`);
  });

  it('answers --version, --help and a bad flag with the exits of Go flanneld v0.5', async () => {
    const ns = lab.hosts[0]!.ns;
    const version = await lab.exec(ns, [FLANNELD, '--version']);
    expect(version).toMatchObject({ exitCode: 0, stdout: '' });
    expect(version.stderr).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await lab.exec(ns, [FLANNELD, '-h']);
    expect(help.exitCode).toBe(0);
    expect(help.stderr).toContain('-etcd-endpoints');
    const bad = await lab.exec(ns, [FLANNELD, '--no-such-flag']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('flag provided but not defined: -no-such-flag');
    const badEnv = await lab.exec(ns, [FLANNELD], { env: { FLANNELD_IP_MASQ: 'perhaps' } });
    expect(badEnv.exitCode).toBe(2);
    expect(badEnv.stderr).toContain('FLANNELD_IP_MASQ');
  });
});

describe("flanneld's log lines", () => {
  it('logs text lines with --log-format=text, its backend\'s lines too, keeping the well-known wording', async () => {
    const dir = await fresh();
    await etcd.etcdctl(['put', CONFIG_KEY, HOST_GW_CONFIG]);
    const d = await startFlanneld(lab, lab.hosts[0]!, dir, { args: ['--log-format=text'] });
    const log = () => (existsSync(path.join(dir, 'flanneld.log')) ? readFileSync(path.join(dir, 'flanneld.log'), 'utf8') : '');
    const text = (msg: string) => new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  ${msg}`, 'm');
    await waitFor(() => text('\\[backend-hostgw\\] Backend host-gw started \\(pid \\d+, supervisor pid \\d+\\), waiting for init').test(log()), {
      what: "the backend's start as a text line",
    });
    await waitFor(() => text('Watching for new subnet leases$').test(log()), { what: "flanneld's watch line" });
    await stopAll(d);
    expect(log()).toMatch(text('\\[backend-hostgw\\] Lease 10\\.244\\.\\d+\\.0/24 via '));
    expect(log()).toMatch(text('Found network config - Backend type: host-gw$'));
    expect(log()).toMatch(text('Wrote subnet file to '));
    expect(log()).toMatch(text('\\[backend-hostgw\\] Exiting cleanly$'));
    expect(log()).toMatch(text('Exiting cleanly\\.\\.\\.$'));
    expect(log().split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
  });

  it('logs text lines on a terminal, its backend\'s lines too', async () => {
    const dir = await fresh();
    await etcd.etcdctl(['put', CONFIG_KEY, HOST_GW_CONFIG]);
    await mkdir(dir, { recursive: true });
    const logFile = path.join(dir, 'terminal.log');
    const flanneld = [
      FLANNELD,
      `--etcd-endpoints=http://${lab.switchIp}:2379`,
      `--subnet-file=${path.join(dir, 'run', 'subnet.env')}`,
      `--state-dir=${path.join(dir, 'state')}`,
      '--iface=eth0',
    ];
    // script(1) gives flanneld a pseudo-terminal as stdout and stderr, and copies what it prints to our file.
    const proc = lab.spawn(lab.hosts[0]!.ns, ['script', '-qfec', flanneld.join(' '), '/dev/null'], { stdout: logFile });
    const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
    try {
      const started = await waitFor(() => /^\d\d:\d\d:\d\d\.\d{3} INFO  \[backend-hostgw\] Backend host-gw started .*supervisor pid (\d+)\)/m.exec(log()) ?? undefined, {
        what: "the backend's start as a text line",
      });
      await waitFor(() => /^\d\d:\d\d:\d\d\.\d{3} INFO  Watching for new subnet leases\r?$/m.test(log()), { what: "flanneld's watch line" });
      // Stop flanneld itself (script's child, named by its backend), so that it shuts down cleanly.
      process.kill(Number(started[1]), 'SIGTERM');
      await waitFor(() => proc.hasExited(), { what: 'flanneld and script to exit' });
    } finally {
      await proc.stop();
    }
    expect(log()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  \[backend-hostgw\] Exiting cleanly\r?$/m);
    expect(log()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  Exiting cleanly\.\.\.\r?$/m);
    expect(log().split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
  });

  it('logs JSON lines when not on a terminal, its backend\'s lines too', async () => {
    const dir = await fresh();
    await etcd.etcdctl(['put', CONFIG_KEY, HOST_GW_CONFIG]);
    const d = await startFlanneld(lab, lab.hosts[0]!, dir);
    await waitForEnv(d);
    await waitFor(() => d.messages().includes('Watching for new subnet leases'), { what: "flanneld's watch line" });
    await stopAll(d);
    const lines = readFileSync(path.join(dir, 'flanneld.log'), 'utf8').trim().split('\n');
    const records = lines.map((line) => JSON.parse(line) as { name: string; msg: string });
    expect(records.some((r) => r.name === 'flanneld' && r.msg === 'Watching for new subnet leases')).toBe(true);
    expect(records.some((r) => r.name === 'flannel-backend-hostgw' && r.msg.startsWith('Backend host-gw started'))).toBe(true);
  });
});
