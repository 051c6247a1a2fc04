import { describe, expect, it } from 'vitest';
import {
  parseCommaList,
  parseIPv4,
  parseIpMasqBackend,
  parseLeaseTtlMs,
  parseMinutesOrDurationMs,
  parseOptionalCommaList,
  parseOptionalIPv4,
  parsePort,
  parseRegexSource,
  parseResyncPeriodMs,
} from './flag-table-values.js';

describe('flanneld value parsers', () => {
  it('reads IPv4 dotted quads, optionally empty', () => {
    expect(parseOptionalIPv4('192.0.2.11')).toBe('192.0.2.11');
    expect(parseOptionalIPv4('')).toBe('');
    for (const bad of ['1.2.3', '256.0.0.1', '01.2.3.4', 'eth0', '::1', ' 1.2.3.4']) {
      expect(() => parseOptionalIPv4(bad), bad).toThrow('not an IPv4 address');
    }
    expect(() => parseIPv4('')).toThrow('must not be empty');
    expect(parseIPv4('0.0.0.0')).toBe('0.0.0.0');
  });

  it('splits comma lists without trimming and refuses empty elements', () => {
    expect(parseCommaList('http://a:2379,http://b:2379')).toEqual(['http://a:2379', 'http://b:2379']);
    expect(parseCommaList(' a, b')).toEqual([' a', ' b']);
    for (const bad of ['', 'a,', ',a', 'a,,b']) expect(() => parseCommaList(bad), bad).toThrow('empty element');
    expect(parseOptionalCommaList('')).toEqual([]);
    expect(parseOptionalCommaList('blue,red')).toEqual(['blue', 'red']);
  });

  it('checks that regular expressions compile', () => {
    expect(parseRegexSource('^eth[0-9]+$')).toBe('^eth[0-9]+$');
    expect(() => parseRegexSource('eth[')).toThrow(/^not a valid regular expression: /);
  });

  it('reads the renew margin as minutes (Go int syntax) or as a duration', () => {
    expect(parseMinutesOrDurationMs('60')).toBe(3_600_000);
    expect(parseMinutesOrDurationMs('0x3c')).toBe(3_600_000);
    expect(parseMinutesOrDurationMs('-5')).toBe(-300_000);
    expect(parseMinutesOrDurationMs('90s')).toBe(90_000);
    expect(parseMinutesOrDurationMs('1h30m')).toBe(5_400_000);
    expect(parseMinutesOrDurationMs('0')).toBe(0);
    for (const bad of ['', 'soon', '1.5', '5 m', '1d']) {
      expect(() => parseMinutesOrDurationMs(bad), bad).toThrow('want a number of minutes or a duration such as 45m or 1h30m');
    }
  });

  it('reads the resync period as seconds or a duration, above zero', () => {
    expect(parseResyncPeriodMs('5')).toBe(5_000);
    expect(parseResyncPeriodMs('500ms')).toBe(500);
    expect(parseResyncPeriodMs('1m')).toBe(60_000);
    expect(() => parseResyncPeriodMs('0')).toThrow('must be above zero');
    expect(() => parseResyncPeriodMs('-1s')).toThrow('must be above zero');
    expect(() => parseResyncPeriodMs('x')).toThrow('want a number of seconds or a duration such as 30s or 1m');
  });

  it('reads the lease TTL as whole seconds of at least 10s', () => {
    expect(parseLeaseTtlMs('24h')).toBe(86_400_000);
    expect(parseLeaseTtlMs('10s')).toBe(10_000);
    expect(parseLeaseTtlMs('1m30s')).toBe(90_000);
    expect(() => parseLeaseTtlMs('9s')).toThrow('must be at least 10s');
    expect(() => parseLeaseTtlMs('9.999s')).toThrow('must be at least 10s');
    expect(() => parseLeaseTtlMs('-1h')).toThrow('must be at least 10s');
    expect(() => parseLeaseTtlMs('10.5s')).toThrow('must be a whole number of seconds');
    expect(() => parseLeaseTtlMs('86400')).toThrow('missing unit in duration "86400"');
  });

  it('reads the ip-masq backend', () => {
    for (const name of ['auto', 'iptables', 'nftables'] as const) expect(parseIpMasqBackend(name)).toBe(name);
    for (const bad of ['', 'nft', 'AUTO', 'iptables-legacy']) {
      expect(() => parseIpMasqBackend(bad), bad).toThrow('want one of auto, iptables, nftables');
    }
  });

  it('reads ports 0-65535', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('65535')).toBe(65535);
    expect(() => parsePort('65536')).toThrow('want a port number from 0 to 65535');
    expect(() => parsePort('-1')).toThrow('want a port number from 0 to 65535');
    expect(() => parsePort('http')).toThrow('parse error');
  });
});
