import { describe, expect, test } from 'vitest';
import { findConfigProblems } from './config-problems.js';
import { parseBackendConfig } from './backend-config.js';
import { parseNetworkConfig } from './network-config.js';

const lines = (text: string) => findConfigProblems(text).map((p) => p.message);

/** What flanneld does with the config: its first problem, or undefined when it accepts it. */
function flanneldVerdict(text: string): string | undefined {
  try {
    parseBackendConfig(parseNetworkConfig(text));
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('findConfigProblems', () => {
  test('a valid config has no problems', () => {
    expect(lines('{"Network":"10.1.0.0/16","Backend":{"Type":"vxlan","VNI":2}}')).toEqual([]);
  });

  test('every independent problem is listed once, in flanneld order, with its field', () => {
    const text = JSON.stringify({
      Network: '10.1.0.0/16',
      SubnetLen: '24',
      SubnetMin: 'ten',
      Networks: ['10.2.0.0/16', 'bad', 7],
      EnableIPv4: false,
      Backend: { Type: 'vxlan', VNI: -1, Port: 'x', GBP: 1 },
    });
    expect(lines(text)).toEqual([
      'config: SubnetLen: must be an unsigned integer (got "24")',
      'config: SubnetMin: must be an IPv4 address like 10.1.1.0 (got "ten")',
      'config: Networks[1]: must be an IPv4 CIDR like 10.1.0.0/16 (got "bad")',
      'config: Networks[2]: must be an IPv4 CIDR like 10.1.0.0/16 (got 7)',
      'config: EnableIPv4: must not be false: flannel-ts supports IPv4 only',
      'config: Backend.VNI: must be between 0 and 16777215 (got -1)',
      'config: Backend.Port: must be an integer (got "x")',
      'config: Backend.GBP: must be true or false (got 1)',
    ]);
    expect(lines(text)[0]).toBe(flanneldVerdict(text));
  });

  test('an unknown backend type is one problem; the network fields are still checked', () => {
    const text = '{"Network":"10.1.0.0/16","SubnetLen":40,"Backend":{"Type":"nope","VNI":"x"}}';
    expect(lines(text)).toEqual([
      'config: SubnetLen: must be less than /31 (got 40)',
      'config: Backend.Type: unknown backend type "nope" (known types: udp, vxlan, host-gw, aws-vpc, gce, alloc)',
    ]);
  });

  test('a document that is not a JSON object is one problem', () => {
    expect(lines('[1]')).toEqual(['config: must be a JSON object (got an array)']);
    expect(lines('{')).toHaveLength(1);
  });

  test('a missing Network ends the list (nothing depends on less)', () => {
    expect(lines('{"SubnetLen":"x"}')).toEqual([
      'config: SubnetLen: must be an unsigned integer (got "x")',
      'config: Network: please define a correct Network parameter in the flannel config (missing)',
    ]);
  });

  test('no problems exactly when flanneld accepts the config, and the first is flanneld\'s', () => {
    // A fixed-seed generator (mulberry32), so a failure names a case that can be replayed.
    let seed = 12345;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const values = ['10.1.0.0/16', '10.1.0.0/30', '0.0.0.0/0', '10.1.4.0', '10.1.2.0', 'x', '', null, true, false, -1, 0, 8, 24, 29, 40];
    const maybe = (o: Record<string, unknown>, key: string, value: () => unknown) => {
      if (random() < 0.6) o[key] = value();
    };
    for (let i = 0; i < 3000; i++) {
      const c: Record<string, unknown> = {};
      for (const key of ['Network', 'SubnetLen', 'SubnetMin', 'SubnetMax', 'EnableIPv6', 'network']) maybe(c, key, () => pick(values));
      maybe(c, 'Networks', () => Array.from({ length: Math.floor(random() * 3) }, () => pick(values)));
      maybe(c, 'Backend', () => {
        if (random() < 0.2) return pick(values);
        const b: Record<string, unknown> = {};
        maybe(b, 'Type', () => pick(['vxlan', 'udp', 'nope', 'host-gw', 'aws-vpc']));
        for (const key of ['VNI', 'Port', 'GBP', 'RouteTableID']) maybe(b, key, () => pick(values));
        return b;
      });
      const text = JSON.stringify(c);
      const problems = findConfigProblems(text);
      expect(problems[0]?.message, text).toBe(flanneldVerdict(text));
      expect(new Set(problems.map((p) => p.field)).size, text).toBe(problems.length);
    }
  });
});
