import { describe, expect, it } from 'vitest';
import { formatGoTime, GO_ZERO_TIME, parseGoTime } from './go-time.js';

describe('Go time.Time JSON', () => {
  it('writes RFC 3339 in UTC with the fraction trimmed as Go does', () => {
    expect(formatGoTime(new Date(Date.UTC(2015, 10, 13, 10, 4, 5, 123)))).toBe('2015-11-13T10:04:05.123Z');
    expect(formatGoTime(new Date(Date.UTC(2015, 10, 13, 10, 4, 5, 120)))).toBe('2015-11-13T10:04:05.12Z');
    expect(formatGoTime(new Date(Date.UTC(2015, 10, 13, 10, 4, 5, 100)))).toBe('2015-11-13T10:04:05.1Z');
    expect(formatGoTime(new Date(Date.UTC(2015, 10, 13, 10, 4, 5, 0)))).toBe('2015-11-13T10:04:05Z');
    expect(formatGoTime(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 7)))).toBe('2026-01-02T03:04:05.007Z');
  });

  it('writes and reads the zero time as no expiration', () => {
    expect(formatGoTime(undefined)).toBe('0001-01-01T00:00:00Z');
    expect(parseGoTime(GO_ZERO_TIME)).toBeUndefined();
    expect(parseGoTime('0001-01-01T01:00:00+01:00')).toBeUndefined();
  });

  it('reads nanoseconds (kept to milliseconds) and offsets', () => {
    expect(parseGoTime('2015-11-13T10:04:05.123456789Z')!.toISOString()).toBe('2015-11-13T10:04:05.123Z');
    expect(parseGoTime('2015-11-13T11:04:05.5+01:00')!.toISOString()).toBe('2015-11-13T10:04:05.500Z');
    expect(parseGoTime('2015-11-13T08:34:05-01:30')!.toISOString()).toBe('2015-11-13T10:04:05.000Z');
  });

  it('round-trips what it writes', () => {
    for (const ms of [0, 1, 999, 1447409045123, 1790000000010]) {
      expect(parseGoTime(formatGoTime(new Date(ms)))!.getTime()).toBe(ms);
    }
  });

  it('names a bad time', () => {
    expect(() => parseGoTime('2015-11-13 10:04:05Z')).toThrow('bad time "2015-11-13 10:04:05Z": not RFC 3339');
    expect(() => parseGoTime('2015-02-30T10:04:05Z')).toThrow('no such day');
    expect(() => parseGoTime('2015-11-13T25:04:05Z')).toThrow('out of range');
  });
});
