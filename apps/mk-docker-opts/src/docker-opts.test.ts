import { parseSubnetEnv } from '@flannel-ts/subnet-env';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { formatDockerOpts, InvalidFlannelEnv } from './docker-opts.js';
import { GOLDEN_CASES, goldenUrl } from '../test/golden-cases.js';
import { parseMkDockerOptsArgs } from './options.js';

const read = (name: string) => readFileSync(goldenUrl(name), 'utf8');
const BOTH = { individual: true, combined: true, combinedKey: 'DOCKER_OPTS', ipMasq: true };

describe('formatDockerOpts', () => {
  for (const c of GOLDEN_CASES) {
    test(`golden ${c.golden}`, () => {
      const parsed = parseMkDockerOptsArgs(c.args);
      if (parsed.kind !== 'run') throw new Error('golden args must parse');
      const flannel = parseSubnetEnv(read(c.subnetFile));
      expect(formatDockerOpts(flannel, parsed.options, c.env[parsed.options.combinedKey])).toBe(read(c.golden));
    });
  }

  test('unset or empty flannel variables leave their option out', () => {
    expect(formatDockerOpts({ FLANNEL_MTU: '1450', FLANNEL_SUBNET: '' }, BOTH, undefined)).toBe(
      'DOCKER_OPT_MTU="--mtu=1450"\nDOCKER_OPTS=" --mtu=1450"\n',
    );
    expect(formatDockerOpts({}, BOTH, undefined)).toBe('DOCKER_OPTS=""\n');
  });

  test('an empty inherited value counts as unset', () => {
    expect(formatDockerOpts({ FLANNEL_MTU: '1450' }, { ...BOTH, individual: false }, '')).toBe('DOCKER_OPTS=" --mtu=1450"\n');
  });

  test('FLANNEL_IPMASQ other than true/false is an error, unless -m leaves --ip-masq out', () => {
    for (const value of ['TRUE', 'yes', '1']) {
      expect(() => formatDockerOpts({ FLANNEL_IPMASQ: value }, BOTH, undefined)).toThrow(InvalidFlannelEnv);
      expect(() => formatDockerOpts({ FLANNEL_IPMASQ: value }, BOTH, undefined)).toThrow(`Invalid value of FLANNEL_IPMASQ: ${value}`);
    }
    expect(formatDockerOpts({ FLANNEL_IPMASQ: 'yes' }, { ...BOTH, ipMasq: false }, undefined)).toBe('DOCKER_OPTS=""\n');
  });
});
