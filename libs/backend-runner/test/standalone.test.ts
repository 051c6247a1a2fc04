import { execa } from 'execa';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { killQuietly, wireInit, tempDir, type TempDir } from '@flannel-ts/testing';
import { assertSysAddonBuilt, echoBackend, recordedCalls, repoRoot } from './helpers.js';

/** Yields the JSON messages a standalone backend prints, one per stdout line. */
function stdoutMessages(stdout: Readable): () => Promise<Record<string, unknown>> {
  const lines = createInterface({ input: stdout })[Symbol.asyncIterator]();
  return async () => {
    const next = await lines.next();
    if (next.done) throw new Error('stdout ended');
    return JSON.parse(next.value) as Record<string, unknown>;
  };
}

function runStandalone(args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, ['--import', 'tsx', echoBackend, ...args], {
    cwd: repoRoot,
    env,
    reject: false,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    forceKillAfterDelay: 2_000,
  });
}

describe('runBackend standalone (no IPC channel)', () => {
  let dir: TempDir;
  const pids: Array<number | undefined> = [];

  beforeAll(assertSysAddonBuilt);
  beforeEach(() => {
    dir = tempDir('backend-runner-standalone');
  });
  afterEach(async () => {
    for (const pid of pids.splice(0)) killQuietly(pid);
    await dir.remove();
  });

  test('from flags: prints propose, ready and status as NDJSON; SIGTERM exits 0', async () => {
    const child = runStandalone([
      '-network=10.244.0.0/16',
      '-subnet=10.244.1.0/24',
      '-iface=127.0.0.1',
      '-public-ip=192.0.2.2',
      `-state-dir=${dir.path}`,
      '-peer=10.244.2.0/24=192.0.2.12',
      '-peer=10.244.3.0/24=192.0.2.13,{"VtepMAC":"5a:1f:0c:2e:33:9b"}',
    ]);
    pids.push(child.pid);
    const next = stdoutMessages(child.stdout);
    expect(await next()).toEqual({ v: 1, type: 'propose', backendType: 'echo', backendData: { Daemon: 'standalone' }, mtu: 65536 });
    expect(await next()).toMatchObject({ type: 'status' });
    expect(await next()).toEqual({ v: 1, type: 'ready' });
    expect(await next()).toMatchObject({ type: 'status', detail: 'leaseGranted peers=' });
    expect(await next()).toMatchObject({ type: 'status', detail: 'peersSnapshot peers=10.244.2.0/24,10.244.3.0/24' });

    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(recordedCalls(dir.path).map((c) => [c.call, c.args])).toEqual([
      ['create', { stateDir: dir.path, iface: 'lo', daemonId: 'standalone' }],
      ['propose', null],
      ['leaseGranted', '10.244.1.0/24=192.0.2.2'],
      ['peersSnapshot', ['10.244.2.0/24=192.0.2.12', '10.244.3.0/24=192.0.2.13']],
      ['close', null],
    ]);
  });

  test('from NDJSON on stdin: each line waits for the one before; a bad line gets protocol-error; shutdown exits 0', async () => {
    const child = runStandalone(['-stdin']);
    pids.push(child.pid);
    const lines = [
      wireInit(dir.path),
      { v: 1, type: 'lease', subnet: '10.244.1.0/24', publicIp: '192.0.2.2' },
      { v: 1, type: 'peers', snapshot: [{ subnet: '10.244.2.0/24', publicIp: '192.0.2.12' }] },
      'this is not json',
      { v: 1, type: 'peer-events', events: [{ type: 'added', lease: { subnet: '10.244.1.0/33', publicIp: '192.0.2.2' } }] },
      { v: 1, type: 'peer-events', events: [{ type: 'added', lease: { subnet: '10.244.4.0/24', publicIp: '192.0.2.14' } }] },
      { v: 1, type: 'shutdown' },
    ];
    child.stdin.end(lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
    const result = await child;
    expect(result.exitCode).toBe(0);
    const printed = result.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(printed.map((m) => (m.type === 'status' ? `status ${m.detail}` : m.type === 'protocol-error' ? `protocol-error ${m.message}` : m.type))).toEqual([
      'propose',
      'status propose peers=',
      'ready',
      'status leaseGranted peers=',
      'status peersSnapshot peers=10.244.2.0/24',
      `protocol-error stdin line 4: not JSON: ${notJsonMessage('this is not json')}`,
      'protocol-error peer-events: events[0].lease.subnet: "10.244.1.0/33" is not an IPv4 prefix',
      'status peersChanged peers=10.244.2.0/24,10.244.4.0/24',
    ]);
    expect(recordedCalls(dir.path).at(-1)?.call).toBe('close');
  });

  test('flags for init, stdin for the rest', async () => {
    const child = runStandalone(['-stdin', '-network=10.244.0.0/16', '-iface=127.0.0.1', `-state-dir=${dir.path}`]);
    pids.push(child.pid);
    const next = stdoutMessages(child.stdout);
    expect(await next()).toMatchObject({ type: 'propose' });
    child.stdin.write(`${JSON.stringify({ v: 1, type: 'lease', subnet: '10.244.7.0/24', publicIp: '127.0.0.1' })}\n`);
    expect((await next()).type).toBe('status');
    expect(await next()).toEqual({ v: 1, type: 'ready' });
    child.stdin.end(`${JSON.stringify({ v: 1, type: 'shutdown' })}\n`);
    expect((await child).exitCode).toBe(0);
  });

  test.each([
    ['text', /^\d\d:\d\d:\d\d\.\d{3} INFO  \[backend-echo\] Backend echo started standalone \(pid \d+\)$/m],
    ['json', /^\{"level":30,.*"msg":"Backend echo started standalone \(pid \d+\)"\}$/m],
  ])('FLANNEL_LOG_FORMAT=%s chooses the format of its log lines', async (format, line) => {
    const child = runStandalone(['-network=10.244.0.0/16', '-subnet=10.244.1.0/24', '-iface=127.0.0.1', `-state-dir=${dir.path}`], {
      FLANNEL_LOG_FORMAT: format,
    });
    pids.push(child.pid);
    const next = stdoutMessages(child.stdout);
    expect(await next()).toMatchObject({ type: 'propose' });
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(line);
  });

  test('-help prints the usage and exits 0; a usage error exits 2', async () => {
    const help = await runStandalone(['-help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^Usage: flannel-backend-echo \[OPTION\]\.\.\./);
    const bad = await runStandalone(['-network=10.244.0.0/16']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('flag -state-dir is required with -network (the backend lock lives there)');
    expect(bad.stdout).toBe('');
  });

  test('a missing interface is an error of the environment: exit 1 with the reason logged', async () => {
    const result = await runStandalone(['-network=10.244.0.0/16', '-iface=no-such-if0', `-state-dir=${dir.path}`]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('--iface no-such-if0: no interface named no-such-if0');
  });
});

function notJsonMessage(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}
