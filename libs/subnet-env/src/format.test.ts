import { readFileSync } from 'node:fs';
import { parseIP4Net } from '@flannel-ts/ip';
import { describe, expect, test } from 'vitest';
import { formatSubnetEnv } from './format.js';

const golden = readFileSync(new URL('../test-fixtures/subnet.env.golden', import.meta.url), 'utf8');

describe('formatSubnetEnv', () => {
  test('matches the golden file byte for byte', () => {
    const text = formatSubnetEnv({
      network: parseIP4Net('10.1.0.0/16'),
      subnet: parseIP4Net('10.1.15.0/24'),
      mtu: 1450,
      ipMasq: false,
    });
    expect(text).toBe(golden);
    expect(text).toBe('FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.15.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n');
  });

  test('states the first address of the lease with its prefix, and ip-masq true', () => {
    const text = formatSubnetEnv({
      network: parseIP4Net('10.244.0.0/14'),
      subnet: parseIP4Net('10.247.255.128/25'),
      mtu: 8951,
      ipMasq: true,
    });
    expect(text).toBe(
      'FLANNEL_NETWORK=10.244.0.0/14\nFLANNEL_SUBNET=10.247.255.129/25\nFLANNEL_MTU=8951\nFLANNEL_IPMASQ=true\n',
    );
  });

  test('refuses a nonsensical MTU, naming it', () => {
    const base = { network: parseIP4Net('10.1.0.0/16'), subnet: parseIP4Net('10.1.15.0/24'), ipMasq: false };
    expect(() => formatSubnetEnv({ ...base, mtu: 0 })).toThrow(/MTU 0/);
    expect(() => formatSubnetEnv({ ...base, mtu: 1450.5 })).toThrow(/MTU 1450.5/);
  });
});
