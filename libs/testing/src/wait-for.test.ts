import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('returns the first value that is neither undefined nor false', async () => {
    const answers = [undefined, false, 0, 7];
    expect(await waitFor(() => answers.shift(), { timeoutMs: 1_000, intervalMs: 1, what: 'an answer' })).toBe(0);
    expect(answers).toEqual([7]);
  });

  it('keeps polling through probe errors', async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        calls++;
        if (calls < 3) throw new Error('not yet');
        return 'done';
      },
      { timeoutMs: 1_000, intervalMs: 1, what: 'three calls' },
    );
    expect([value, calls]).toEqual(['done', 3]);
  });

  it('times out naming what it waited for and the last probe error', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      waitFor(
        () => {
          calls++;
          throw new Error(`attempt ${calls} refused`);
        },
        { timeoutMs: 60, intervalMs: 5, what: 'the port to open' },
      ),
    ).rejects.toThrow(/^timed out after 60 ms waiting for the port to open; last probe error: attempt \d+ refused$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    expect(calls).toBeGreaterThan(2);
  });

  it('times out without an error suffix when the probe never threw', async () => {
    await expect(waitFor(() => false, { timeoutMs: 10, what: 'never' })).rejects.toThrow(
      /^timed out after 10 ms waiting for never$/,
    );
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('gave up')), 20);
    await expect(
      waitFor(() => undefined, { timeoutMs: 5_000, intervalMs: 1_000, what: 'x', signal: controller.signal }),
    ).rejects.toThrow('gave up');
  });
});
