import { Socket, connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guardLoopbackOnly, type LoopbackGuard } from './loopback-guard.js';

// Below the guard sits a recorder instead of the real connect, so no packet leaves even if the guard is broken.
const realConnect = Socket.prototype.connect;
let reached: unknown[][] = [];
let guard: LoopbackGuard | undefined;
beforeEach(() => {
  reached = [];
  Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
    reached.push(args);
    return this;
  } as typeof Socket.prototype.connect;
  guard = guardLoopbackOnly();
});
afterEach(() => {
  guard?.release();
  Socket.prototype.connect = realConnect;
});

const failure = (socket: Socket) => new Promise<string>((resolve) => socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message)));

describe('guardLoopbackOnly', () => {
  it('passes loopback and unix sockets on, in every call form', () => {
    connect(8080, '127.0.0.1').destroy();
    connect({ host: 'localhost', port: 1 }).destroy();
    connect({ host: '::1', port: 2 }).destroy();
    connect('/run/x.sock').destroy();
    expect(reached.map((a) => (Array.isArray(a[0]) ? a[0][0] : a[0]))).toEqual([expect.objectContaining({ port: 8080 }), expect.objectContaining({ port: 1 }), expect.objectContaining({ port: 2 }), expect.objectContaining({ path: '/run/x.sock' })]);
    expect(guard!.refused()).toEqual([]);
  });

  it('refuses any other host with EACCES and records it, also for fetch', async () => {
    expect(await failure(connect({ host: '169.254.169.254', port: 80 }))).toBe('EACCES');
    expect(await failure(connect(443, 'ec2.us-east-1.amazonaws.com'))).toBe('EACCES');
    const viaFetch = await fetch('http://metadata.google.internal/computeMetadata/v1/').then(
      () => 'answered',
      (e: Error) => String((e.cause as NodeJS.ErrnoException | undefined)?.code),
    );
    expect(viaFetch).toBe('EACCES');
    expect(reached).toEqual([]);
    expect(guard!.refused()).toEqual(['169.254.169.254:80', 'ec2.us-east-1.amazonaws.com:443', expect.stringMatching(/:80$/)]);
  });

  it('release puts connect back', () => {
    const below = Socket.prototype.connect;
    guard!.release();
    expect(Socket.prototype.connect).not.toBe(below);
  });
});
