import { describe, expect, test } from 'vitest';
import { interfaceAddress, ipv4, linkIndex, linkName, mac, optionalBoolean, prefix, uint } from './validate.js';

const typeError = (fragment: string): unknown => expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(fragment) });

describe('argument checks', () => {
  test('prefix: canonical "a.b.c.d/len" only, split for the addon', () => {
    expect(prefix('10.244.3.0/24', 'route dst')).toEqual({ address: '10.244.3.0', prefixLen: 24, text: '10.244.3.0/24' });
    expect(prefix('0.0.0.0/0', 'route dst')).toEqual({ address: '0.0.0.0', prefixLen: 0, text: '0.0.0.0/0' });
    expect(prefix('10.244.3.7/32', 'route dst').prefixLen).toBe(32);
    expect(() => prefix('10.244.3.1/24', 'route dst')).toThrow(typeError('route dst "10.244.3.1/24" is not a canonical prefix (host bits set?); did you mean "10.244.3.0/24"?'));
    expect(() => prefix('10.244.3.0/08', 'route dst')).toThrow(typeError('did you mean "10.0.0.0/8"'));
    expect(() => prefix('10.244.3.0/33', 'route dst')).toThrow(typeError('route dst must be an IPv4 prefix "a.b.c.d/len", got "10.244.3.0/33"'));
    expect(() => prefix('10.244.3.0', 'route dst')).toThrow(typeError('got "10.244.3.0"'));
    expect(() => prefix(24, 'route dst')).toThrow(typeError('got 24'));
  });

  test('interfaceAddress: host bits are fine', () => {
    expect(interfaceAddress('10.1.15.1/24', 'address')).toEqual({ address: '10.1.15.1', prefixLen: 24 });
    expect(() => interfaceAddress('10.1.15.1', 'address')).toThrow(typeError('"a.b.c.d/len", got "10.1.15.1"'));
    expect(() => interfaceAddress('10.1.15.1/40', 'address')).toThrow(typeError('"10.1.15.1/40"'));
    expect(() => interfaceAddress('10.1.15.1/24/1', 'address')).toThrow(typeError('address'));
  });

  test('addresses, MACs, names, numbers', () => {
    expect(ipv4('192.0.2.12', 'route gateway')).toBe('192.0.2.12');
    expect(() => ipv4('192.0.2.256', 'route gateway')).toThrow(typeError('route gateway must be a dotted IPv4 address, got "192.0.2.256"'));
    expect(() => ipv4('::1', 'local')).toThrow(typeError('local'));
    expect(mac('0A:58:0a:f4:03:00', 'mac')).toBe('0a:58:0a:f4:03:00');
    expect(() => mac('0a:58:0a:f4:03', 'neighbour mac')).toThrow(typeError('neighbour mac must be a MAC address'));
    expect(() => mac('0a-58-0a-f4-03-00', 'mac')).toThrow(typeError('mac'));
    expect(linkName('flannel.1', 'vxlan name')).toBe('flannel.1');
    expect(() => linkName('', 'link name')).toThrow(typeError('link name'));
    expect(() => linkName('sixteen-chars-xx', 'link name')).toThrow(typeError('1 to 15 characters'));
    expect(() => linkName('a/b', 'link name')).toThrow(typeError('link name'));
    expect(linkIndex(3, 'oif')).toBe(3);
    expect(() => linkIndex(0, 'route oif')).toThrow(typeError('route oif must be a link index (a positive integer), got 0'));
    expect(() => linkIndex(1.5, 'oif')).toThrow(typeError('got 1.5'));
    expect(uint(0xffffff, 'vni', 0xffffff)).toBe(0xffffff);
    expect(() => uint(2 ** 24, 'vni', 0xffffff)).toThrow(typeError('vni must be an integer from 0 to 16777215, got 16777216'));
    expect(() => uint(-1, 'table', 0xffffffff)).toThrow(typeError('table'));
    expect(optionalBoolean(undefined, 'gbp', false)).toBe(false);
    expect(() => optionalBoolean('yes', 'gbp', false)).toThrow(typeError('gbp must be a boolean, got "yes"'));
  });
});
