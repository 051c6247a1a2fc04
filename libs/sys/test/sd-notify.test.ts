import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sdNotify } from '../src/index.js';
import { assertAddonBuilt, fixture, lineReader } from './helpers.js';

/** Starts a python3 receiver on `address`, runs `send` once it is bound, returns the datagram's bytes. */
async function receiveOne(address: string, send: () => unknown): Promise<Buffer> {
  const receiver = spawn('python3', [fixture('notify-receiver.py'), address], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const nextLine = lineReader(receiver.stdout);
    expect(await nextLine()).toBe('ready');
    send();
    const hex = await nextLine();
    return Buffer.from(hex, 'hex');
  } finally {
    receiver.kill('SIGKILL');
    if (receiver.exitCode === null && receiver.signalCode === null) await once(receiver, 'exit');
  }
}

describe('sdNotify', () => {
  let dir: string;
  const message = 'READY=1\nSTATUS=lease 10.1.15.0/24 — ok\n';

  beforeAll(() => {
    assertAddonBuilt();
    dir = mkdtempSync(join(tmpdir(), 'sys-notify-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('sends exactly the message bytes to a path socket', async () => {
    const path = join(dir, 'notify.sock');
    let result: boolean | undefined;
    const received = await receiveOne(path, () => (result = sdNotify(message, path)));
    expect(result).toBe(true);
    expect(received).toEqual(Buffer.from(message, 'utf8'));
  });

  test('sends to an abstract @name', async () => {
    const address = `@flannel-ts-test-${process.pid}-${Date.now()}`;
    const received = await receiveOne(address, () => sdNotify('READY=1', address));
    expect(received.toString('utf8')).toBe('READY=1');
  });

  test('uses NOTIFY_SOCKET by default', async () => {
    const path = join(dir, 'from-env.sock');
    const saved = process.env.NOTIFY_SOCKET;
    process.env.NOTIFY_SOCKET = path;
    try {
      const received = await receiveOne(path, () => sdNotify('READY=1'));
      expect(received.toString('utf8')).toBe('READY=1');
    } finally {
      if (saved === undefined) delete process.env.NOTIFY_SOCKET;
      else process.env.NOTIFY_SOCKET = saved;
    }
  });

  test('is a no-op returning false when there is no socket', () => {
    const saved = process.env.NOTIFY_SOCKET;
    delete process.env.NOTIFY_SOCKET;
    try {
      expect(sdNotify('READY=1')).toBe(false);
      expect(sdNotify('READY=1', '')).toBe(false);
    } finally {
      if (saved !== undefined) process.env.NOTIFY_SOCKET = saved;
    }
  });

  test('throws an errno error naming the socket when nobody listens', () => {
    const path = join(dir, 'missing.sock');
    expect(() => sdNotify('READY=1', path)).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'sendto', errno: -2, message: expect.stringContaining(path) }),
    );
  });

  test('rejects a relative socket path, naming it', () => {
    expect(() => sdNotify('READY=1', 'run/notify')).toThrow(/"run\/notify"/);
  });

  test('rejects a name too long for sockaddr_un', () => {
    expect(() => sdNotify('READY=1', `/${'x'.repeat(120)}`)).toThrow(expect.objectContaining({ code: 'ENAMETOOLONG' }));
  });
});
