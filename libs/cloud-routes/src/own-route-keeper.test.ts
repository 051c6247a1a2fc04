import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryableError } from '@flannel-ts/retry';
import { OwnRouteKeeper, type EnsureOutcome } from './own-route-keeper.js';

function harness(results: Array<EnsureOutcome | Error>) {
  const lines: string[] = [];
  const failures: unknown[] = [];
  const calls = { ensure: 0 };
  const keeper = new OwnRouteKeeper({
    what: 'route 10.244.3.0/24 → i-1',
    ensure: async () => {
      const next = results[Math.min(calls.ensure++, results.length - 1)]!;
      if (next instanceof Error) throw next;
      return next;
    },
    periodMs: 10_000,
    firstRetryMs: 1_000,
    maxRetryMs: 4_000,
    log: { info: (m) => lines.push(`info ${m}`), error: (m) => lines.push(`error ${m}`) },
    context: { exclusive: async (job) => job(), fail: (e) => failures.push(e) },
  });
  return { keeper, lines, failures, calls };
}

describe('OwnRouteKeeper', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('checks at start and then every period, counting repairs', async () => {
    const h = harness(['created', 'present', 'replaced', 'present']);
    expect(await h.keeper.start()).toMatchObject({ inPlace: true, checks: 1, repairs: 1, failures: 0 });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(h.calls.ensure).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.calls.ensure).toBe(2);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(h.keeper.state).toMatchObject({ inPlace: true, checks: 4, repairs: 2 });
    h.keeper.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.calls.ensure).toBe(4);
  });

  it('retries a refused check with a doubling delay up to the cap, forever, then says it works again', async () => {
    const quota = new RetryableError('creating route in rtb-1: RouteLimitExceeded: the table holds its limit of 50 routes');
    const h = harness([quota, quota, quota, quota, quota, 'created']);
    expect(await h.keeper.start()).toMatchObject({ inPlace: false, failures: 1, lastError: quota.message });
    // Retries after 1, 2, 4 and 4 s (the cap).
    for (const [wait, calls] of [[1_000, 2], [2_000, 3], [4_000, 4], [4_000, 5], [4_000, 6]] as const) {
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(h.calls.ensure).toBe(calls - 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(h.calls.ensure).toBe(calls);
    }
    expect(h.keeper.state).toMatchObject({ inPlace: true, failures: 0, repairs: 1 });
    expect(h.failures).toEqual([]);
    expect(h.lines.filter((l) => l.startsWith('error'))).toHaveLength(5);
    expect(h.lines[0]).toBe(`error Keeping route 10.244.3.0/24 → i-1 failed (trying again in 1 s): ${quota.message}`);
    expect(h.lines.at(-1)).toBe('info Keeping route 10.244.3.0/24 → i-1 works again after 5 failed check(s)');
    // Back to the period once it works.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.calls.ensure).toBe(7);
    h.keeper.stop();
  });

  it('ends the backend on a bug instead of retrying it', async () => {
    const h = harness([new TypeError("Cannot read properties of undefined (reading 'RouteTables')")]);
    await h.keeper.start();
    expect(h.failures).toHaveLength(1);
    expect(String(h.failures[0])).toContain("keeping route 10.244.3.0/24 → i-1: Cannot read properties of undefined (reading 'RouteTables')");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.calls.ensure).toBe(1);
  });
});
