import { describe, expect, it } from 'vitest';
import { parsePingOutput } from './ping-stats.js';

const T0 = 1_795_443_142_000;
const reply = (atMs: number, seq: number, rtt = 0.2, extra = ''): string =>
  `[${(atMs / 1000).toFixed(6)}] 64 bytes from 10.244.2.2: icmp_seq=${seq} ttl=62 time=${rtt} ms${extra}`;
const output = (lines: string[], summary: string): string =>
  ['PING 10.244.2.2 (10.244.2.2) 56(84) bytes of data.', ...lines, '', '--- 10.244.2.2 ping statistics ---', summary, ''].join('\n');

describe('parsePingOutput', () => {
  it('counts, averages and finds the longest silence between replies', () => {
    const text = output(
      [reply(T0 + 10, 1, 0.1), reply(T0 + 20, 2, 0.3), reply(T0 + 150, 3, 0.2), reply(T0 + 160, 4, 0.2)],
      '4 packets transmitted, 4 received, 0% packet loss, time 150ms\nrtt min/avg/max/mdev = 0.100/0.200/0.300/0.070 ms',
    );
    const stats = parsePingOutput(text, { startedAtMs: T0, stoppedAtMs: T0 + 165 });
    expect(stats).toMatchObject({ transmitted: 4, received: 4, lossPercent: 0, errors: 0 });
    expect(stats?.maxGapMs).toBeCloseTo(130, 3);
    expect(stats?.rttAvgMs).toBeCloseTo(0.2, 6);
  });

  it('does not count a last request still in flight at the stop as lost', () => {
    const text = output([reply(T0 + 10, 1), reply(T0 + 20, 2)], '3 packets transmitted, 2 received, 33.3333% packet loss, time 20ms');
    expect(parsePingOutput(text, { startedAtMs: T0, stoppedAtMs: T0 + 25 })).toMatchObject({ transmitted: 2, received: 2, lossPercent: 0 });
  });

  it('reports loss, ICMP errors and an outage that lasts until the stop, ignoring duplicates', () => {
    const text = output(
      [reply(T0 + 10, 1), reply(T0 + 10.5, 1, 0.7, ' (DUP!)'), 'From 192.0.2.1 icmp_seq=3 Destination Net Unreachable', reply(T0 + 20, 2)],
      '6 packets transmitted, 2 received, +1 duplicates, +1 errors, 66.6667% packet loss, time 60ms',
    );
    const stats = parsePingOutput(text, { startedAtMs: T0, stoppedAtMs: T0 + 320 });
    expect(stats).toMatchObject({ transmitted: 5, received: 2, lossPercent: 60, errors: 1, maxGapMs: 300 });
    expect(stats?.rttAvgMs).toBeCloseTo(0.2, 6);
  });

  it('covers the whole run when no reply came, and returns undefined without a summary', () => {
    const silent = output([], '5 packets transmitted, 0 received, 100% packet loss, time 40ms');
    expect(parsePingOutput(silent, { startedAtMs: T0, stoppedAtMs: T0 + 50 })).toEqual({
      transmitted: 4,
      received: 0,
      lossPercent: 100,
      errors: 0,
      maxGapMs: 50,
      rttAvgMs: undefined,
    });
    expect(parsePingOutput('ping: connect: Network is unreachable\n', { startedAtMs: T0, stoppedAtMs: T0 })).toBeUndefined();
  });
});
