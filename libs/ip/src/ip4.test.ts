import { describe, expect, it } from 'vitest';
import {
  containsIP4,
  formatIP4,
  formatIP4Net,
  isGlobalUnicastIP4,
  lastIP4,
  overlaps,
  parseIP4,
  parseIP4Net,
  subnetKey,
  tryParseIP4,
  tryParseIP4Net,
  tryParseSubnetKey,
} from './index.js';

describe('IPv4 addresses', () => {
  it('round-trips dotted quads across the whole range', () => {
    for (const text of ['0.0.0.0', '10.1.15.0', '192.0.2.255', '255.255.255.255', '128.0.0.1']) {
      expect(formatIP4(parseIP4(text))).toBe(text);
    }
    expect(parseIP4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIP4('10.0.0.1')).toBe(0x0a000001);
  });

  it('rejects what Go net.ParseIP rejects for IPv4', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.-4', 'a.b.c.d', ' 1.2.3.4', '::1']) {
      expect(tryParseIP4(bad)).toBeUndefined();
    }
    expect(() => parseIP4('300.1.1.1')).toThrow('invalid IPv4 address "300.1.1.1"');
  });

  it('classifies global unicast like Go', () => {
    expect(isGlobalUnicastIP4(parseIP4('192.0.2.11'))).toBe(true);
    for (const ip of ['0.0.0.0', '127.0.0.1', '169.254.1.1', '224.0.0.1', '255.255.255.255']) {
      expect(isGlobalUnicastIP4(parseIP4(ip))).toBe(false);
    }
  });
});

describe('IPv4 prefixes', () => {
  it('masks host bits like Go net.ParseCIDR', () => {
    expect(formatIP4Net(parseIP4Net('10.1.2.3/16'))).toBe('10.1.0.0/16');
    expect(formatIP4Net(parseIP4Net('10.1.2.3/32'))).toBe('10.1.2.3/32');
    expect(formatIP4Net(parseIP4Net('10.1.2.3/0'))).toBe('0.0.0.0/0');
  });

  it('rejects malformed prefixes', () => {
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/1a', '10.0.0/8', '10.0.0.0/-1', '10.0.0.0/008']) {
      expect(tryParseIP4Net(bad)).toBeUndefined();
    }
  });

  it('answers containment and overlap', () => {
    const net = parseIP4Net('10.244.0.0/16');
    expect(containsIP4(net, parseIP4('10.244.255.255'))).toBe(true);
    expect(containsIP4(net, parseIP4('10.245.0.0'))).toBe(false);
    expect(overlaps(net, parseIP4Net('10.244.7.0/24'))).toBe(true);
    expect(overlaps(parseIP4Net('10.244.7.0/24'), net)).toBe(true);
    expect(overlaps(parseIP4Net('10.244.7.0/24'), parseIP4Net('10.244.8.0/24'))).toBe(false);
    expect(formatIP4(lastIP4(net))).toBe('10.244.255.255');
    expect(formatIP4(lastIP4(parseIP4Net('0.0.0.0/0')))).toBe('255.255.255.255');
  });

  it('converts to and from the etcd key form', () => {
    const net = parseIP4Net('10.1.15.0/24');
    expect(subnetKey(net)).toBe('10.1.15.0-24');
    expect(tryParseSubnetKey('10.1.15.0-24')).toEqual(net);
    expect(tryParseSubnetKey('10.1.15.0_24')).toBeUndefined();
    expect(tryParseSubnetKey('10.1.15.0-40')).toBeUndefined();
  });
});
