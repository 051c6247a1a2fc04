import { formatIP4Net, parseIP4Net } from '@flannel-ts/ip';
import { createLogger } from '@flannel-ts/log';
import { describe, expect, test, vi } from 'vitest';
import { wireSamples, wireLease } from '@flannel-ts/testing';
import { BackendSession } from './session.js';
import type { Backend, BackendContext, BackendMessage, InitInfo, Lease, PeerEvent, Proposal } from '@flannel-ts/backend-protocol';

interface Harness {
  session: BackendSession;
  controller: AbortController;
  sent: BackendMessage[];
  calls: string[];
  logLines: string[];
  locks: { taken: string[]; released: number };
  inits: InitInfo[];
  contexts: BackendContext[];
  /** Whether a Backend call is running right now. */
  busy(): boolean;
}

interface FakeOptions {
  proposal?: Proposal;
  /** Called at the start of every Backend call; may throw or wait. */
  during?: (call: string) => Promise<void> | void;
  lockFails?: boolean;
  statusIntervalMs?: number;
}

/** A session around a recording Backend (our own seam, faked). */
function harness(options: FakeOptions = {}): Harness {
  const sent: BackendMessage[] = [];
  const calls: string[] = [];
  const logLines: string[] = [];
  const locks = { taken: [] as string[], released: 0 };
  const inits: InitInfo[] = [];
  const contexts: BackendContext[] = [];
  let running = 0;
  const call = async (what: string): Promise<void> => {
    if (running > 0) calls.push(`OVERLAP ${what}`);
    running++;
    calls.push(what);
    try {
      await options.during?.(what);
    } finally {
      running--;
    }
  };
  const subnets = (leases: readonly Lease[]) => leases.map((lease) => formatIP4Net(lease.subnet)).join(',');
  const events = (list: readonly PeerEvent[]) => list.map((e) => `${e.type === 'added' ? '+' : '-'}${formatIP4Net(e.lease.subnet)}`).join(',');
  const backend: Backend = {
    propose: async () => {
      await call('propose');
      return options.proposal ?? { backendType: 'fake', mtu: 1450 };
    },
    leaseGranted: (lease) => call(`leaseGranted ${formatIP4Net(lease.subnet)}`),
    peersSnapshot: (peers) => call(`peersSnapshot ${subnets(peers)}`),
    peersChanged: (list) => call(`peersChanged ${events(list)}`),
    close: () => call('close'),
    removeState: () => call('removeState'),
    status: () => ({ counters: { calls: calls.length } }),
  };
  const controller = new AbortController();
  const session = new BackendSession({
    create: async (init, context) => {
      inits.push(init);
      contexts.push(context);
      calls.push('create');
      return backend;
    },
    log: createLogger({ name: 'test', verbosity: 1, format: 'json', destination: { write: (line: string) => void logLines.push(line) } }),
    controller,
    send: (msg) => sent.push(msg),
    ...(options.statusIntervalMs === undefined ? {} : { statusIntervalMs: options.statusIntervalMs }),
    lockDaemon: (stateDir) => {
      if (options.lockFails) throw new Error(`${stateDir}/backend.lock is locked by pid 4242`);
      locks.taken.push(stateDir);
      return { release: () => void locks.released++ };
    },
  });
  return { session, controller, sent, calls, logLines, locks, inits, contexts, busy: () => running > 0 };
}

const types = (sent: readonly BackendMessage[]) => sent.map((m) => m.type);

/** Resolves once the backend has been called with a call starting with `prefix`. */
async function untilCalled(h: Harness, prefix: string): Promise<void> {
  await vi.waitFor(() => expect(h.calls.some((c) => c.startsWith(prefix))).toBe(true), { timeout: 60_000, interval: 1 });
}

async function handshake(h: Harness): Promise<void> {
  h.session.receive(wireSamples.init());
  await h.session.idle();
  h.session.receive({ v: 1, type: 'lease', subnet: '10.244.1.0/24', publicIp: '198.51.100.2' });
  await h.session.idle();
}

describe('BackendSession', () => {
  test('handshake: lock, create, propose, lease, ready; then status after each handled message', async () => {
    const h = harness();
    h.session.receive(wireSamples.init());
    await h.session.idle();
    expect(h.locks.taken).toEqual(['/var/lib/flannel/d1']);
    expect(h.inits[0]).toMatchObject({ stateDir: '/var/lib/flannel/d1', daemonId: 'd1', iface: { name: 'eth0', mtu: 1500 } });
    expect(h.inits[0]).not.toHaveProperty('type');
    expect(h.sent[0]).toEqual({ v: 1, type: 'propose', backendType: 'fake', mtu: 1450 });

    h.session.receive({ v: 1, type: 'lease', subnet: '10.244.1.0/24', publicIp: '198.51.100.2' });
    await h.session.idle();
    expect(h.calls).toEqual(['create', 'propose', 'leaseGranted 10.244.1.0/24']);
    expect(types(h.sent)).toEqual(['propose', 'status', 'ready', 'status']);
    expect(h.sent.at(-1)).toEqual({ v: 1, type: 'status', counters: { calls: 3 } });
  });

  test('calls run one at a time and in order, however fast messages arrive', async () => {
    const h = harness({ during: () => new Promise((resolve) => setTimeout(resolve, 5)) });
    await handshake(h);
    h.session.receive(wireSamples.peers());
    for (let i = 0; i < 5; i++) {
      h.session.receive({ v: 1, type: 'peer-events', events: [{ type: 'added', lease: wireLease(`10.244.${10 + i}.0/24`, '192.0.2.9') }] });
    }
    h.session.receive({ v: 1, type: 'lease', subnet: '10.244.1.0/24', publicIp: '198.51.100.3' });
    await h.session.idle();
    expect(h.calls.slice(3)).toEqual([
      'peersSnapshot 10.244.2.0/24,10.244.3.0/24',
      ...[10, 11, 12, 13, 14].map((n) => `peersChanged +10.244.${n}.0/24`),
      'leaseGranted 10.244.1.0/24',
    ]);
    expect(h.calls.join('\n')).not.toContain('OVERLAP');
    expect(types(h.sent).filter((t) => t === 'ready')).toHaveLength(2);
  });

  test('the own subnet never reaches the backend as a peer', async () => {
    const h = harness();
    await handshake(h);
    h.session.receive({ v: 1, type: 'peers', snapshot: [wireLease('10.244.1.0/24', '198.51.100.2'), wireLease('10.244.2.0/24', '192.0.2.12')] });
    h.session.receive({ v: 1, type: 'peer-events', events: [{ type: 'removed', lease: wireLease('10.244.1.0/24', '198.51.100.2') }] });
    h.session.receive({ v: 1, type: 'peer-events', events: [{ type: 'added', lease: wireLease('10.244.1.0/24', '198.51.100.2') }, { type: 'added', lease: wireLease('10.244.5.0/24', '192.0.2.15') }] });
    await h.session.idle();
    expect(h.calls.slice(3)).toEqual(['peersSnapshot 10.244.2.0/24', 'peersChanged +10.244.5.0/24']);
  });

  test('malformed and out-of-turn messages are answered with protocol-error and the session goes on', async () => {
    const h = harness();
    h.session.receive({ v: 1, type: 'lease', subnet: '10.244.1.0/24', publicIp: '198.51.100.2' });
    h.session.receive({ v: 7, type: 'init' });
    h.session.receive({ v: 1, type: 'frobnicate' });
    h.session.receive('not an object');
    h.session.receive({ v: 1, type: 'protocol-error' }); // malformed, but never answered
    h.session.receive({ v: 1, type: 'protocol-error', message: 'you said something odd' }); // logged only
    h.session.receive(wireSamples.init());
    await h.session.idle();
    expect(h.sent.filter((m) => m.type === 'protocol-error').map((m) => 'message' in m && m.message)).toEqual([
      'unexpected lease in state "awaiting-init": init must come first',
      'unsupported protocol version 7 (this side speaks 1)',
      'unknown message type "frobnicate"',
      'message is not a JSON object (got "not an object")',
    ]);
    expect(types(h.sent).slice(-2)).toEqual(['propose', 'status']);
    expect(h.logLines.join('')).toContain('you said something odd');
    expect(h.controller.signal.aborted).toBe(false);
  });

  test('a failure in leaseGranted is fatal: error message, stop, exit code 1, later calls skipped', async () => {
    const h = harness({
      during: (call) => {
        if (call.startsWith('leaseGranted')) throw new Error('adding route 10.244.1.0/24: EPERM');
      },
    });
    h.session.receive(wireSamples.init());
    await h.session.idle();
    h.session.receive({ v: 1, type: 'lease', subnet: '10.244.1.0/24', publicIp: '198.51.100.2' });
    h.session.receive(wireSamples.peers());
    await h.session.idle();
    expect(h.sent.at(-1)).toEqual({
      v: 1,
      type: 'error',
      message: 'lease 10.244.1.0/24: adding route 10.244.1.0/24: EPERM',
      fatal: true,
    });
    expect(h.controller.signal.aborted).toBe(true);
    expect(h.calls).not.toContain('peersSnapshot 10.244.2.0/24,10.244.3.0/24');
    expect(await h.session.finish()).toBe(1);
    expect(h.calls.at(-1)).toBe('close');
    expect(h.locks.released).toBe(1);
  });

  test('a failure in a peer call is reported and the session goes on', async () => {
    const h = harness({
      during: (call) => {
        if (call.startsWith('peersSnapshot')) throw new Error('route table full');
      },
    });
    await handshake(h);
    h.session.receive(wireSamples.peers());
    h.session.receive(wireSamples.peerEvents());
    await h.session.idle();
    expect(h.sent).toContainEqual({ v: 1, type: 'error', message: 'peers snapshot (2 leases): route table full', fatal: false });
    expect(h.calls.at(-1)).toBe('peersChanged +10.244.4.0/24,-10.244.2.0/24');
    expect(h.controller.signal.aborted).toBe(false);
  });

  test('an invalid proposal is a fatal error naming the field', async () => {
    const h = harness({ proposal: { mtu: 0 } });
    h.session.receive(wireSamples.init());
    await h.session.idle();
    expect(h.sent).toEqual([
      {
        v: 1,
        type: 'error',
        message: 'propose: the backend proposed an invalid lease: propose: mtu: expected an integer from 68 to 2147483647, got 0',
        fatal: true,
      },
    ]);
    expect(await h.session.finish()).toBe(1);
  });

  test('a held lock stops everything before the backend is created', async () => {
    const h = harness({ lockFails: true });
    h.session.receive(wireSamples.init());
    await h.session.idle();
    expect(h.calls).toEqual([]);
    expect(h.sent).toEqual([
      { v: 1, type: 'error', message: 'init: /var/lib/flannel/d1/backend.lock is locked by pid 4242', fatal: true },
    ]);
    expect(await h.session.finish()).toBe(1);
  });

  test('shutdown stops the session: close, lock released, exit code 0; later messages are ignored', async () => {
    const h = harness();
    await handshake(h);
    h.session.receive(wireSamples.shutdown());
    expect(h.controller.signal.aborted).toBe(true);
    h.session.receive(wireSamples.peers());
    expect(await h.session.finish()).toBe(0);
    expect(h.calls.slice(3)).toEqual(['close']);
    expect(h.locks.released).toBe(1);
  });

  test("a network named in init starts the backend's log lines", async () => {
    const h = harness();
    h.session.receive({ ...wireSamples.init(), network: 'blue' });
    await h.session.idle();
    h.contexts[0]!.log.info('Created vxlan device flannel.2');
    const messages = h.logLines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages).toContain('Network "blue": Created vxlan device flannel.2');
  });

  test('a shutdown for a removed network: close, then the kernel state removed, exit code 0', async () => {
    const h = harness();
    await handshake(h);
    h.session.receive({ ...wireSamples.shutdown(), removeState: true });
    expect(await h.session.finish()).toBe(0);
    expect(h.calls.slice(3)).toEqual(['close', 'removeState']);
    expect(h.locks.released).toBe(1);
  });

  test('a call cancelled by the stop is not reported as an error', async () => {
    const stop = new AbortController();
    const h = harness({
      during: (call) =>
        call.startsWith('peersSnapshot')
          ? new Promise((_, reject) => {
              stop.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
            })
          : undefined,
    });
    h.controller.signal.addEventListener('abort', () => stop.abort());
    await handshake(h);
    h.session.receive(wireSamples.peers());
    await untilCalled(h, 'peersSnapshot');
    h.controller.abort();
    expect(await h.session.finish()).toBe(0);
    expect(types(h.sent)).not.toContain('error');
  });

  test('a call that ignores the stop: no close (never two calls at once), exit code 1 after the deadline', async () => {
    const h = harness({ during: (call) => (call.startsWith('peersSnapshot') ? new Promise(() => {}) : undefined) });
    await handshake(h);
    h.session.receive(wireSamples.peers());
    await untilCalled(h, 'peersSnapshot');
    h.controller.abort();
    expect(await h.session.finish(50)).toBe(1);
    expect(h.calls).not.toContain('close');
    expect(h.sent.at(-1)).toMatchObject({ type: 'error', fatal: true, message: expect.stringContaining('did not finish within 50 ms') });
  });

  test('a close that hangs: exit code 1 after the deadline, the lock released all the same', async () => {
    const h = harness({ during: (call) => (call === 'close' ? new Promise(() => {}) : undefined) });
    await handshake(h);
    h.controller.abort();
    expect(await h.session.finish(50)).toBe(1);
    expect(h.sent.at(-1)).toEqual({ v: 1, type: 'error', message: 'close did not finish within 50 ms', fatal: true });
    expect(h.locks.released).toBe(1);
  });

  test('status also goes out periodically, and stops with the session', async () => {
    vi.useFakeTimers();
    try {
      const h = harness({ statusIntervalMs: 20 });
      await handshake(h);
      const statuses = () => types(h.sent).filter((t) => t === 'status').length;
      const before = statuses();
      await vi.advanceTimersByTimeAsync(100);
      expect(statuses() - before).toBe(5);
      h.controller.abort();
      await h.session.finish();
      const after = h.sent.length;
      await vi.advanceTimersByTimeAsync(100);
      expect(h.sent.length).toBe(after);
    } finally {
      vi.useRealTimers();
    }
  });

  test('work the backend queues with exclusive runs between Backend calls, in order, never during one', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const h = harness({ during: (call) => (call.startsWith('peersSnapshot') ? held : undefined) });
    await handshake(h);
    const ctx = h.contexts[0]!;
    h.session.receive(wireSamples.peers());
    await untilCalled(h, 'peersSnapshot');
    const job = ctx.exclusive(() => void h.calls.push(h.busy() ? 'OVERLAP job' : 'job'));
    h.session.receive(wireSamples.peerEvents());
    release();
    await job;
    await h.session.idle();
    expect(h.calls.slice(3)).toEqual(['peersSnapshot 10.244.2.0/24,10.244.3.0/24', 'job', 'peersChanged +10.244.4.0/24,-10.244.2.0/24']);
  });

  test('exclusive rejects with what the job threw and the session goes on; once stopping, jobs are skipped', async () => {
    const h = harness();
    await handshake(h);
    const ctx = h.contexts[0]!;
    await expect(ctx.exclusive(() => Promise.reject(new Error('dump failed')))).rejects.toThrow('dump failed');
    expect(h.controller.signal.aborted).toBe(false);
    h.session.receive({ v: 1, type: 'shutdown' });
    let ran = false;
    await expect(ctx.exclusive(() => void (ran = true))).resolves.toBeUndefined();
    expect(ran).toBe(false);
  });

  test('fail(err) from the backend: a fatal error message naming it, stop, close, exit code 1', async () => {
    const h = harness();
    await handshake(h);
    h.contexts[0]!.fail(new Error('udp datapath stopped: read flannel0: File descriptor in bad state'));
    expect(h.sent.at(-1)).toEqual({ v: 1, type: 'error', message: 'udp datapath stopped: read flannel0: File descriptor in bad state', fatal: true });
    expect(h.controller.signal.aborted).toBe(true);
    expect(await h.session.finish()).toBe(1);
    expect(h.calls.at(-1)).toBe('close');
    expect(h.locks.released).toBe(1);
  });

  test('the Lease handed to the backend carries no message fields', async () => {
    const leases: Lease[] = [];
    const h = harness();
    const session = new BackendSession({
      create: async () => ({
        propose: async () => ({ mtu: 1500 }),
        leaseGranted: async (lease) => void leases.push(lease),
        peersSnapshot: async () => {},
        peersChanged: async () => {},
        close: async () => {},
      }),
      log: createLogger({ name: 'test', verbosity: 0, format: 'json', destination: { write: () => {} } }),
      controller: h.controller,
      send: () => {},
      lockDaemon: () => ({ release: () => {} }),
    });
    session.receive(wireSamples.init());
    await session.idle();
    session.receive(wireSamples.lease());
    await session.idle();
    expect(leases).toEqual([
      {
        subnet: parseIP4Net('10.244.1.0/24'),
        publicIp: expect.any(Number),
        backendType: 'vxlan',
        backendData: { VNI: 1, VtepMAC: '5a:1f:0c:2e:33:9b' },
      },
    ]);
  });
});
