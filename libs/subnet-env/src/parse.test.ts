import { parseIP4Net } from '@flannel-ts/ip';
import { describe, expect, test } from 'vitest';
import { formatSubnetEnv } from './format.js';
import { parseSubnetEnv } from './parse.js';

describe('parseSubnetEnv', () => {
  test('reads back what formatSubnetEnv writes', () => {
    const text = formatSubnetEnv({
      network: parseIP4Net('10.1.0.0/16'),
      subnet: parseIP4Net('10.1.15.0/24'),
      mtu: 1450,
      ipMasq: true,
    });
    expect(parseSubnetEnv(text)).toEqual({
      FLANNEL_NETWORK: '10.1.0.0/16',
      FLANNEL_SUBNET: '10.1.15.1/24',
      FLANNEL_MTU: '1450',
      FLANNEL_IPMASQ: 'true',
    });
  });

  test('tolerates comments, blank lines, quotes, export and CRLF', () => {
    const text = [
      '# written by hand',
      '',
      'export FLANNEL_NETWORK="10.1.0.0/16"',
      "FLANNEL_SUBNET='10.1.15.1/24'   ",
      '  FLANNEL_MTU = 1450 # jumbo later',
      'FLANNEL_IPMASQ=false\r',
      'QUOTED="a \\"b\\"\\nc" # trailing',
      'HASH=a#b',
      'not a pair',
      '=orphan',
      'EMPTY=',
    ].join('\n');
    expect(parseSubnetEnv(text)).toEqual({
      FLANNEL_NETWORK: '10.1.0.0/16',
      FLANNEL_SUBNET: '10.1.15.1/24',
      FLANNEL_MTU: '1450',
      FLANNEL_IPMASQ: 'false',
      QUOTED: 'a "b"\nc',
      HASH: 'a#b',
      EMPTY: '',
    });
  });

  test('the last of repeated keys wins', () => {
    expect(parseSubnetEnv('A=1\nA=2\n')).toEqual({ A: '2' });
  });
});
