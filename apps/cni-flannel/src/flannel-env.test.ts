import { parseIP4Net } from '@flannel-ts/ip';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CniError } from './cni-error.js';
import { parseFlannelEnv, readFlannelEnv } from './flannel-env.js';
import { thrownCniError } from '../test/thrown-cni-error.js';

const VALID = { FLANNEL_NETWORK: '10.244.0.0/16', FLANNEL_SUBNET: '10.244.7.1/24', FLANNEL_MTU: '1450', FLANNEL_IPMASQ: 'false' };

describe('parseFlannelEnv', () => {
  test('parses the four keys, clearing host bits', () => {
    expect(parseFlannelEnv(VALID, 'f')).toEqual({
      networks: [parseIP4Net('10.244.0.0/16')],
      subnet: parseIP4Net('10.244.7.0/24'),
      mtu: 1450,
      ipMasq: false,
    });
  });

  test('FLANNEL_NETWORK may be a comma-separated list', () => {
    const env = parseFlannelEnv({ ...VALID, FLANNEL_NETWORK: '10.244.0.0/16,10.96.1.1/12' }, 'f');
    expect(env.networks).toEqual([parseIP4Net('10.244.0.0/16'), parseIP4Net('10.96.0.0/12')]);
  });

  test('FLANNEL_IPMASQ is true only for exactly "true"', () => {
    expect(parseFlannelEnv({ ...VALID, FLANNEL_IPMASQ: 'true' }, 'f').ipMasq).toBe(true);
    for (const other of ['TRUE', 'True', '1', 'yes', '', 'false']) {
      expect(parseFlannelEnv({ ...VALID, FLANNEL_IPMASQ: other }, 'f').ipMasq).toBe(false);
    }
  });

  test('names every missing key and the file', () => {
    const error = thrownCniError(() => parseFlannelEnv({ FLANNEL_SUBNET: '10.244.7.1/24' }, '/run/x.env'));
    expect(error.code).toBe(100);
    expect(error.message).toBe('subnet file /run/x.env is missing FLANNEL_NETWORK, FLANNEL_MTU, FLANNEL_IPMASQ');
  });

  test('names the key with a bad value', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ FLANNEL_NETWORK: '10.244.0.0' }, 'FLANNEL_NETWORK="10.244.0.0" is not an IPv4 CIDR'],
      [{ FLANNEL_NETWORK: '10.244.0.0/16,' }, 'FLANNEL_NETWORK="" is not an IPv4 CIDR'],
      [{ FLANNEL_SUBNET: 'fd00::1/64' }, 'FLANNEL_SUBNET="fd00::1/64"'],
      [{ FLANNEL_MTU: '-1' }, 'FLANNEL_MTU="-1" is not an unsigned integer'],
      [{ FLANNEL_MTU: '4294967296' }, 'FLANNEL_MTU="4294967296"'],
      [{ FLANNEL_MTU: '' }, 'FLANNEL_MTU=""'],
    ];
    for (const [override, message] of cases) {
      const error = thrownCniError(() => parseFlannelEnv({ ...VALID, ...override }, '/f'));
      expect(error.code).toBe(100);
      expect(error.message).toContain(`subnet file /f: ${message}`);
    }
  });
});

describe('readFlannelEnv', () => {
  test('a missing file is "try again later" (code 11); an existing one is parsed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flannel-env-'));
    try {
      const error = await readFlannelEnv(join(dir, 'none.env')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CniError);
      expect((error as CniError).code).toBe(11);
      expect((error as CniError).message).toContain(join(dir, 'none.env'));
      writeFileSync(join(dir, 'subnet.env'), Object.entries(VALID).map(([k, v]) => `${k}=${v}\n`).join(''));
      expect((await readFlannelEnv(join(dir, 'subnet.env'))).mtu).toBe(1450);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
