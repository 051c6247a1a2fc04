import { describe, expect, it, vi } from 'vitest';
import { RetryableError } from './retryable.js';
import { retrying } from './retrying.js';

function recorder() {
  const lines: string[] = [];
  return { lines, log: { error: (message: string) => void lines.push(message) } };
}

describe('retrying', () => {
  it('retries retryable failures with a doubling delay up to the maximum, logging each with its cause', async () => {
    vi.useFakeTimers();
    try {
      const { lines, log } = recorder();
      let calls = 0;
      const done = retrying(
        async () => {
          if (++calls < 5) throw new RetryableError('etcd: listing leases', { cause: new Error('14 UNAVAILABLE') });
          return 'leased';
        },
        { failure: 'Failed to acquire subnet', log, signal: new AbortController().signal, firstDelayMs: 1_000, maxDelayMs: 3_000 },
      );
      await vi.runAllTimersAsync();
      expect(await done).toBe('leased');
      expect(lines).toEqual([
        'Failed to acquire subnet (trying again in 1 s): etcd: listing leases: 14 UNAVAILABLE',
        'Failed to acquire subnet (trying again in 2 s): etcd: listing leases: 14 UNAVAILABLE',
        'Failed to acquire subnet (trying again in 3 s): etcd: listing leases: 14 UNAVAILABLE',
        'Failed to acquire subnet (trying again in 3 s): etcd: listing leases: 14 UNAVAILABLE',
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rethrows a bug at once, without a retry', async () => {
    const { lines, log } = recorder();
    let calls = 0;
    const bug = retrying(
      async () => {
        calls++;
        throw new TypeError("Cannot read properties of undefined (reading 'subnet')");
      },
      { failure: 'x', log, signal: new AbortController().signal },
    );
    await expect(bug).rejects.toBeInstanceOf(TypeError);
    expect([calls, lines]).toEqual([1, []]);
  });

  it('stops waiting when its signal aborts', async () => {
    const { log } = recorder();
    const stop = new AbortController();
    const attempt = retrying(
      async () => {
        throw new RetryableError('down');
      },
      { failure: 'x', log, signal: stop.signal, firstDelayMs: 60_000 },
    );
    stop.abort(new Error('SIGTERM'));
    await expect(attempt).rejects.toThrow('SIGTERM');
  });
});
