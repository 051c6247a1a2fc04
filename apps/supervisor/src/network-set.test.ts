import { describe, expect, it } from 'vitest';
import { ExitError } from '@flannel-ts/cli';
import { createLogger } from '@flannel-ts/log';
import { waitFor } from '@flannel-ts/testing';
import { NetworkSet } from './network-set.js';
import { NetworkRemoved } from './run-network.js';

/** Network runs that last until aborted, recording how each ended. */
function harness(fail?: (name: string, attempt: number) => Error | undefined) {
  const lines: string[] = [];
  const log = createLogger({ name: 't', verbosity: 0, destination: { write: (l: string) => lines.push((JSON.parse(l) as { msg: string }).msg) } });
  const events: string[] = [];
  const attempts = new Map<string, number>();
  const stop = new AbortController();
  const run = async (name: string, signal: AbortSignal) => {
    const attempt = (attempts.get(name) ?? 0) + 1;
    attempts.set(name, attempt);
    events.push(`start ${name}`);
    const err = fail?.(name, attempt);
    if (err) throw err;
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    events.push(`${signal.reason instanceof NetworkRemoved ? 'removed' : 'stopped'} ${name}`);
    throw signal.reason;
  };
  const set = new NetworkSet(run, stop.signal, log);
  return { set, events, lines, stop };
}

describe('NetworkSet', () => {
  it('starts a network once, reports "already exists", and stops a removed one with NetworkRemoved', async () => {
    const h = harness();
    h.set.add('blue');
    h.set.add('blue');
    expect(h.lines).toContain('Network "blue": already exists');
    h.set.add('green');
    h.set.remove('green');
    h.set.remove('nothing');
    await waitFor(() => h.events.includes('removed green'), { what: 'green removed' });
    await waitFor(() => h.set.names().join() === 'blue', { what: 'green gone from the set' });
    h.stop.abort();
    await h.set.stopAll();
    expect(h.events).toEqual(['start blue', 'start green', 'removed green', 'stopped blue']);
  });

  it('a network added again while its removal runs starts once that removal is done', async () => {
    const h = harness();
    h.set.add('blue');
    h.set.remove('blue');
    h.set.add('blue');
    await waitFor(() => h.events.filter((e) => e === 'start blue').length === 2, { what: 'blue started again' });
    expect(h.events).toEqual(['start blue', 'removed blue', 'start blue']);
    h.stop.abort();
    await h.set.stopAll();
  });

  it("retries a run that failed for the host's reasons, one line each time; a bug fails the set", async () => {
    const h = harness((name, attempt) => {
      if (name === 'blue' && attempt === 1) return new ExitError('backend host-gw: flannel-backend-hostgw not found', 1);
      if (name === 'red') return new TypeError('a bug');
      return undefined;
    });
    h.set.add('blue');
    await waitFor(() => h.events.filter((e) => e === 'start blue').length === 2, { what: 'blue tried again' });
    expect(h.lines).toContain('Network "blue": backend host-gw: flannel-backend-hostgw not found (trying again in 1 s)');
    h.set.add('red');
    await expect(h.set.failed).rejects.toThrow('a bug');
    // The daemon is ending: the other runs stop, keeping their state.
    await h.set.stopAll();
    expect(h.events.at(-1)).toBe('stopped blue');
  });
});
