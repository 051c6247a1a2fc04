import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { killQuietly, tempDir, waitFor, wireInit, type IpcSubprocess, type TempDir } from '@flannel-ts/testing';
import { join } from 'node:path';
import { BackendChannel, BackendChannelError, parseSupervisorMessage, type BackendMessage, type InitMessage } from '@flannel-ts/backend-protocol';
import { assertSysAddonBuilt, exitWithin, forkEcho, logMessages, recordedCalls } from './helpers.js';

const lease = (subnet: string, publicIp: string) => ({ subnet: parseIP4Net(subnet), publicIp: parseIP4(publicIp) });
const initFor = (stateDir: string, backend: Record<string, unknown> = {}) => parseSupervisorMessage(wireInit(stateDir, backend)) as InitMessage;

describe('runBackend under a supervisor (IPC)', () => {
  let dir: TempDir;
  const started: IpcSubprocess[] = [];

  const start = (options: Parameters<typeof forkEcho>[0] = {}) => {
    const child = forkEcho(options);
    started.push(child);
    return { child, channel: new BackendChannel(child) };
  };

  /** init → propose → lease → ready, through BackendChannel. */
  async function handshake(channel: BackendChannel, stateDir: string, backend: Record<string, unknown> = {}) {
    const proposed = channel.waitFor('propose');
    await channel.send(initFor(stateDir, backend));
    const propose = await proposed;
    const ready = channel.waitFor('ready');
    await channel.send({ v: 1, type: 'lease', ...lease('10.244.1.0/24', '192.0.2.2'), backendType: 'echo' });
    await ready;
    return propose;
  }

  beforeAll(assertSysAddonBuilt);
  beforeEach(() => {
    dir = tempDir('backend-runner-ipc');
  });
  afterEach(async () => {
    for (const child of started.splice(0)) killQuietly(child.pid);
    await dir.remove();
  });

  test('full handshake, then shutdown: close called, exit 0', async () => {
    const { child, channel } = start();
    const propose = await handshake(channel, dir.path);
    expect(propose).toEqual({ v: 1, type: 'propose', backendType: 'echo', backendData: { Daemon: 'test' }, mtu: 1500 });
    expect(channel.state).toBe('running');

    await channel.send({ v: 1, type: 'shutdown' });
    expect(await exitWithin(child)).toEqual({ exitCode: 0 });
    expect(recordedCalls(dir.path).map((c) => [c.call, c.args])).toEqual([
      ['create', { stateDir: dir.path, iface: 'eth0', daemonId: 'test' }],
      ['propose', null],
      ['leaseGranted', '10.244.1.0/24=192.0.2.2'],
      ['close', null],
    ]);
  });

  test('a peers snapshot and event batches arrive in order, one call at a time', async () => {
    const { channel } = start();
    const statuses: string[] = [];
    channel.on('message', (m) => {
      if (m.type === 'status' && m.detail !== undefined) statuses.push(m.detail);
    });
    await handshake(channel, dir.path, { DelayMs: 15 });

    const sends = [
      channel.send({ v: 1, type: 'peers', snapshot: [lease('10.244.2.0/24', '192.0.2.12'), lease('10.244.3.0/24', '192.0.2.13')] }),
    ];
    const expected: string[] = [];
    for (let i = 0; i < 8; i++) {
      const added = lease(`10.244.${10 + i}.0/24`, '192.0.2.20');
      const removed = lease('10.244.2.0/24', '192.0.2.12');
      const events = i === 3 ? [{ type: 'removed' as const, lease: removed }] : [{ type: 'added' as const, lease: added }];
      expected.push(i === 3 ? 'removed 10.244.2.0/24=192.0.2.12' : `added 10.244.${10 + i}.0/24=192.0.2.20`);
      sends.push(channel.send({ v: 1, type: 'peer-events', events }));
    }
    await Promise.all(sends);
    const final = 'peersChanged peers=10.244.10.0/24,10.244.11.0/24,10.244.12.0/24,10.244.14.0/24,10.244.15.0/24,10.244.16.0/24,10.244.17.0/24,10.244.3.0/24';
    await waitFor(() => statuses.includes(final), { what: 'the status after the last batch' });

    const calls = recordedCalls(dir.path).slice(3);
    expect(calls.map((c) => c.call)).toEqual(['peersSnapshot', ...Array(8).fill('peersChanged')]);
    expect(calls.slice(1).map((c) => (c.args as string[])[0])).toEqual(expected);
    expect(recordedCalls(dir.path).filter((c) => c.overlap)).toEqual([]);
  });

  test('malformed or out-of-turn messages get protocol-error and the backend keeps running', async () => {
    const { child, channel } = start();
    const refusals: string[] = [];
    channel.on('message', (m: BackendMessage) => {
      if (m.type === 'protocol-error') refusals.push(m.message);
    });
    const raw = (message: unknown) => new Promise<void>((resolve, reject) => child.send(message as object, (e) => (e ? reject(e) : resolve())));
    await raw({ v: 7, type: 'init' });
    await raw({ v: 1, type: 'frobnicate' });
    await raw({ v: 1, type: 'lease', subnet: '10.1.2.0/33', publicIp: '192.0.2.2' });
    await raw({ v: 1, type: 'lease', subnet: '10.244.1.0/24', publicIp: '192.0.2.2' });
    await raw('hello');
    await waitFor(() => refusals.length === 5, { what: 'five protocol-errors' });
    expect(refusals).toEqual([
      'unsupported protocol version 7 (this side speaks 1)',
      'unknown message type "frobnicate"',
      'lease: subnet: "10.1.2.0/33" is not an IPv4 prefix',
      'unexpected lease in state "awaiting-init": init must come first',
      'message is not a JSON object (got "hello")',
    ]);
    // Still alive and in its first state: a proper handshake works.
    await handshake(channel, dir.path);
    expect(child.exitCode).toBeNull();
  });

  test('IPC disconnect: the backend stops and exits 0', async () => {
    const { child, channel } = start();
    await handshake(channel, dir.path);
    child.disconnect();
    expect(await exitWithin(child)).toEqual({ exitCode: 0 });
    expect(recordedCalls(dir.path).at(-1)?.call).toBe('close');
  });

  test("BackendChannel.messages() yields in order and ends when the backend goes; waitFor and send then fail cleanly", async () => {
    const { child, channel } = start();
    const all = channel.messages();
    await channel.send(parseSupervisorMessage(wireInit(dir.path)));
    expect((await all.next()).value).toMatchObject({ type: 'propose' });
    const disconnected = new Promise<void>((resolve) => channel.once('disconnect', resolve));

    const waiting = channel.waitFor('ready');
    child.disconnect();
    await disconnected;
    const rest: BackendMessage[] = [];
    for await (const message of all) rest.push(message);
    expect(rest.every((m) => m.type === 'status')).toBe(true);
    await expect(waiting).rejects.toThrow(new BackendChannelError("the backend's IPC channel closed before ready", 'disconnected'));
    expect(channel.connected).toBe(false);
    await expect(channel.send({ v: 1, type: 'shutdown' })).rejects.toThrow(
      "cannot send shutdown: the backend's IPC channel is closed",
    );
    await expect(channel.waitFor('status')).rejects.toThrow(BackendChannelError);
    expect(await exitWithin(child)).toEqual({ exitCode: 0 });
  });

  test('a failure in leaseGranted: fatal error message, exit 1', async () => {
    const { child, channel } = start();
    const proposed = channel.waitFor('propose');
    await channel.send(initFor(dir.path, { FailIn: 'leaseGranted' }));
    await proposed;
    const ready = channel.waitFor('ready');
    await channel.send({ v: 1, type: 'lease', ...lease('10.244.1.0/24', '192.0.2.2') });
    await expect(ready).rejects.toThrow(
      new BackendChannelError('the backend failed before ready: lease 10.244.1.0/24: told to fail in leaseGranted', 'fatal-error'),
    );
    expect(await exitWithin(child)).toEqual({ exitCode: 1 });
  });

  test('a failure in peersChanged is reported, not fatal', async () => {
    const { child, channel } = start();
    await handshake(channel, dir.path, { FailIn: 'peersChanged' });
    const error = channel.waitFor('error');
    await channel.send({ v: 1, type: 'peers', snapshot: [] });
    await channel.send({ v: 1, type: 'peer-events', events: [{ type: 'added', lease: lease('10.244.9.0/24', '192.0.2.9') }] });
    expect(await error).toEqual({ v: 1, type: 'error', message: 'peer events (1): told to fail in peersChanged', fatal: false });
    await channel.send({ v: 1, type: 'peers', snapshot: [lease('10.244.9.0/24', '192.0.2.9')] });
    await waitFor(() => recordedCalls(dir.path).at(-1)?.call === 'peersSnapshot', { what: 'the next call' });
    expect(child.exitCode).toBeNull();
  });

  test('the lock: a second backend of the same daemon exits 1 naming the lock file and the holder', async () => {
    const first = start();
    await handshake(first.channel, dir.path);

    const second = start();
    const proposed = second.channel.waitFor('propose');
    await second.channel.send(initFor(dir.path));
    const lockFile = join(dir.path, 'backend.lock');
    await expect(proposed).rejects.toThrow(
      `the backend failed before propose: init: another backend of this daemon is running: ${lockFile} is locked by pid ${first.child.pid}`,
    );
    expect(await exitWithin(second.child)).toEqual({ exitCode: 1 });
    expect(first.child.exitCode).toBeNull();
    // Only the first one ever created a backend.
    expect(new Set(recordedCalls(dir.path).map((c) => c.pid))).toEqual(new Set([first.child.pid]));
  });

  test('a parent that is not the supervisor named in the environment: exit 1 at once', async () => {
    const stderrFile = join(dir.path, 'stderr.log');
    const { child } = start({ env: { FLANNEL_SUPERVISOR_PID: '1' }, stderrFile });
    expect(await exitWithin(child)).toEqual({ exitCode: 1 });
    expect(logMessages(stderrFile)).toContain(`the supervisor (pid 1) is gone: our parent is now pid ${process.pid}`);
  });
});
