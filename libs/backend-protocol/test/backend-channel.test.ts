import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { forkWithIpc, killQuietly, tempDir, waitFor, wireInit, type IpcSubprocess, type TempDir } from '@flannel-ts/testing';
import {
  BackendChannel,
  ProtocolError,
  parseSupervisorMessage,
  type BackendMessage,
  type InitMessage,
} from '../src/index.js';
const libRoot = fileURLToPath(new URL('..', import.meta.url));

/** BackendChannel's tests run against a scripted stand-in; libs/backend-runner tests it against the real runner. */
function forkRaw(script: unknown[]): IpcSubprocess {
  return forkWithIpc(resolve(libRoot, 'test/fixtures/raw-backend.ts'), [JSON.stringify(script)], { cwd: resolve(libRoot, '../..'), stderr: 'inherit' });
}

describe('BackendChannel', () => {
  let dir: TempDir;
  const started: IpcSubprocess[] = [];
  const track = (child: IpcSubprocess) => {
    started.push(child);
    return child;
  };

  beforeEach(() => {
    dir = tempDir('backend-protocol-channel');
  });
  afterEach(async () => {
    for (const child of started.splice(0)) killQuietly(child.pid);
    await dir.remove();
  });

  test('invalid incoming messages: answered with protocol-error, reported as "invalid", never thrown', async () => {
    const child = track(
      forkRaw([
        { v: 1, type: 'bogus' },
        { v: 1, type: 'ready' },
        { v: 2, type: 'status' },
        { v: 1, type: 'protocol-error' },
        { v: 1, type: 'status', detail: 'fine' },
      ]),
    );
    const channel = new BackendChannel(child);
    const invalid: Array<[string, string]> = [];
    const valid: BackendMessage[] = [];
    channel.on('invalid', (error, raw) => invalid.push([error.message, JSON.stringify(raw)]));
    channel.on('message', (message) => valid.push(message));

    await waitFor(() => valid.length === 4, { what: 'the good status and three echoed answers' });
    expect(invalid).toEqual([
      ['unknown message type "bogus"', '{"v":1,"type":"bogus"}'],
      ['unexpected ready in state "awaiting-init": no lease is waiting for ready', '{"v":1,"type":"ready"}'],
      ['unsupported protocol version 2 (this side speaks 1)', '{"v":2,"type":"status"}'],
      ['protocol-error: message: is missing', '{"v":1,"type":"protocol-error"}'],
    ]);
    expect(valid[0]).toEqual({ v: 1, type: 'status', detail: 'fine' });
    // What the raw backend received back: one protocol-error per bad message, none for the bad protocol-error.
    expect(valid.slice(1).map((m) => (m.type === 'status' ? JSON.parse(m.detail!) : m))).toEqual([
      { v: 1, type: 'protocol-error', message: 'unknown message type "bogus"' },
      { v: 1, type: 'protocol-error', message: 'unexpected ready in state "awaiting-init": no lease is waiting for ready' },
      { v: 1, type: 'protocol-error', message: 'unsupported protocol version 2 (this side speaks 1)' },
    ]);
    expect(channel.state).toBe('awaiting-init');
  });

  test('send validates shape and order before anything leaves', async () => {
    const child = track(forkRaw([]));
    const channel = new BackendChannel(child);
    const echoes = channel.messages();
    const lease = { v: 1, type: 'lease', subnet: parseIP4Net('10.244.1.0/24'), publicIp: parseIP4('192.0.2.2') } as const;

    await expect(channel.send(lease)).rejects.toThrow(
      new ProtocolError('unexpected lease in state "awaiting-init": init must come first', 'order', 'lease'),
    );
    const relative = { ...(parseSupervisorMessage(wireInit(dir.path)) as InitMessage), stateDir: 'relative/dir' };
    await expect(channel.send(relative)).rejects.toThrow('init: stateDir: "relative/dir" is not an absolute path');
    await expect(channel.send({ ...lease, publicIp: 2 ** 32 })).rejects.toThrow(
      'lease: publicIp: 4294967296 is not an IPv4 address (an unsigned 32-bit integer)',
    );
    expect(channel.state).toBe('awaiting-init');

    await channel.send({ v: 1, type: 'shutdown' });
    const first = await echoes.next();
    expect(first.value).toEqual({ v: 1, type: 'status', detail: '{"v":1,"type":"shutdown"}' });
    expect(channel.state).toBe('shut-down');
  });

  test('waitFor honours an AbortSignal', async () => {
    const child = track(forkRaw([]));
    const channel = new BackendChannel(child);
    const stop = new AbortController();
    const waiting = channel.waitFor('propose', stop.signal);
    stop.abort(new Error('supervisor stopping'));
    await expect(waiting).rejects.toThrow('supervisor stopping');
  });
});
