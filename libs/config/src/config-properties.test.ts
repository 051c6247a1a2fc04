import { describe, expect, it } from 'vitest';
import { containsIP4, formatIP4, formatIP4Net, maskOf, sizeOf, type IP4Net } from '@flannel-ts/ip';
import { parseBackendConfig } from './backend-config.js';
import { ConfigError } from './errors.js';
import { parseNetworkConfig, type NetworkConfig } from './network-config.js';
import { serializeNetworkConfig } from './serialize.js';

/** Small seeded PRNG (mulberry32) so a failing case can be replayed from its seed. */
function randomSource(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Random = ReturnType<typeof randomSource>;

const RUNS = 2000;

function randomNetwork(random: Random, minPrefix: number, maxPrefix: number): IP4Net {
  const prefixLen = random.int(minPrefix, maxPrefix);
  const ip = (random.int(0, 0xffffffff) & maskOf(prefixLen)) >>> 0;
  return { ip, prefixLen };
}

function expectValidRange(cfg: NetworkConfig): void {
  const { network, subnetLen, subnetMin, subnetMax } = cfg;
  expect(subnetLen).toBeGreaterThanOrEqual(network.prefixLen + 2);
  expect(subnetLen).toBeLessThanOrEqual(30);
  for (const ip of [subnetMin, subnetMax]) {
    expect(containsIP4(network, ip)).toBe(true);
    expect((ip & maskOf(subnetLen)) >>> 0).toBe(ip);
  }
  expect(subnetMin).toBeLessThanOrEqual(subnetMax);
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('properties of the subnet range', () => {
  it('defaults follow flannel v0.20 and always give an aligned, ordered range inside the network', () => {
    const random = randomSource(1);
    for (let run = 0; run < RUNS; run++) {
      const network = randomNetwork(random, 1, 28);
      const cfg = parseNetworkConfig(JSON.stringify({ Network: formatIP4Net(network) }));
      const expectedLen = network.prefixLen <= 22 ? 24 : network.prefixLen + 2;
      expect(cfg.subnetLen).toBe(expectedLen);
      expect(cfg.subnetMin).toBe(network.ip + sizeOf(expectedLen));
      expect(cfg.subnetMax).toBe(network.ip + sizeOf(network.prefixLen) - sizeOf(expectedLen));
      expectValidRange(cfg);
    }
  });

  it('accepts any valid SubnetLen with any aligned, ordered Min/Max inside the network, and round-trips', () => {
    const random = randomSource(2);
    for (let run = 0; run < RUNS; run++) {
      const network = randomNetwork(random, 1, 28);
      const subnetLen = random.int(network.prefixLen + 2, 30);
      const count = 2 ** (subnetLen - network.prefixLen);
      const [first, last] = [random.int(1, count - 1), random.int(1, count - 1)].sort((a, b) => a - b);
      const at = (i: number): string => formatIP4(network.ip + i * sizeOf(subnetLen));
      const doc = { Network: formatIP4Net(network), SubnetLen: subnetLen, SubnetMin: at(first!), SubnetMax: at(last!) };
      const cfg = parseNetworkConfig(JSON.stringify(doc));
      expectValidRange(cfg);
      expect([formatIP4(cfg.subnetMin), formatIP4(cfg.subnetMax)]).toEqual([doc.SubnetMin, doc.SubnetMax]);
      expect(parseNetworkConfig(serializeNetworkConfig(cfg))).toEqual(cfg);
    }
  });

  it('accepts exactly the SubnetLen values flannel v0.20 accepts', () => {
    const random = randomSource(3);
    for (let run = 0; run < RUNS; run++) {
      const network = randomNetwork(random, 1, 32);
      const subnetLen = random.int(0, 40);
      const text = JSON.stringify({ Network: formatIP4Net(network), SubnetLen: subnetLen });
      const err = errorOf(() => expectValidRange(parseNetworkConfig(text)));
      const valid =
        subnetLen === 0 ? network.prefixLen <= 28 : subnetLen <= 30 && subnetLen >= network.prefixLen + 2;
      if (valid) {
        expect(err).toBeUndefined();
      } else {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).field).toBe(subnetLen === 0 ? 'Network' : 'SubnetLen');
      }
    }
  });

  it('refuses every SubnetMin/SubnetMax off a SubnetLen boundary or outside the network', () => {
    const random = randomSource(4);
    for (let run = 0; run < RUNS; run++) {
      const network = randomNetwork(random, 8, 24);
      const field = random.pick(['SubnetMin', 'SubnetMax']);
      const misaligned = random.chance(0.5);
      const ip = misaligned
        ? network.ip + random.int(1, sizeOf(network.prefixLen) - 1)
        : (network.ip + sizeOf(network.prefixLen) + random.int(0, 2 ** 31)) % 2 ** 32;
      if (misaligned && ip % sizeOf(24 > network.prefixLen + 2 ? 24 : network.prefixLen + 2) === 0) continue;
      if (!misaligned && (ip === 0 || containsIP4(network, ip))) continue;
      const doc = { Network: formatIP4Net(network), [field]: formatIP4(ip) };
      const err = errorOf(() => parseNetworkConfig(JSON.stringify(doc)));
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).field).toBe(field);
      const rule = misaligned
        ? `${field} is not on a SubnetLen boundary: ${formatIP4(ip)}`
        : `${field} is not in the range of the Network`;
      expect((err as ConfigError).message).toContain(rule);
    }
  });
});

const FIELD_NAMES = [
  'Network', 'SubnetLen', 'SubnetMin', 'SubnetMax', 'Backend', 'EnableIPv4', 'EnableIPv6', 'IPv6Network',
  'IPv6SubnetLen', 'IPv6SubnetMin', 'IPv6SubnetMax', 'Networks', 'IPv6Networks', 'Unknown',
];
const BACKEND_KEYS = ['Type', 'Port', 'VNI', 'GBP', 'Learning', 'DirectRouting', 'MTU', 'RouteTableID', 'Other'];

function randomCase(random: Random, name: string): string {
  return [...name].map((c) => (random.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join('');
}

function randomValue(random: Random, depth = 0): unknown {
  switch (random.int(0, depth > 1 ? 6 : 8)) {
    case 0: return null;
    case 1: return random.chance(0.5);
    case 2: return random.int(-5, 70000);
    case 3: return random.next() * 100;
    case 4: return random.pick(['10.1.0.0/16', '10.1.2.0', '10.1.0.0/29', 'fd00::/56', '', 'x', '0.0.0.0']);
    case 5: return random.pick(['vxlan', 'UDP', 'host-gw', 'aws-vpc', 'gce', 'alloc', 'ipip']);
    case 6: return random.int(0, 32);
    case 7: return [randomValue(random, depth + 1), randomValue(random, depth + 1)];
    default: {
      const keys = random.chance(0.7) ? BACKEND_KEYS : FIELD_NAMES;
      const chosen = keys.filter(() => random.chance(0.4));
      return Object.fromEntries(chosen.map((k) => [randomCase(random, k), randomValue(random, depth + 1)]));
    }
  }
}

describe('properties of decoding', () => {
  it('throws nothing but ConfigError on arbitrary documents, and valid results keep the invariants', () => {
    const random = randomSource(5);
    let accepted = 0;
    for (let run = 0; run < RUNS * 5; run++) {
      const doc = Object.fromEntries(
        FIELD_NAMES.filter(() => random.chance(0.3)).map((k) => [randomCase(random, k), randomValue(random)]),
      );
      if (random.chance(0.7)) {
        doc[randomCase(random, 'Network')] = random.pick(['10.1.0.0/16', '192.168.0.0/24', '10.0.0.0/8']);
      }
      const err = errorOf(() => {
        const cfg = parseNetworkConfig(JSON.stringify(doc));
        expectValidRange(cfg);
        parseBackendConfig(cfg);
        accepted++;
      });
      if (err !== undefined && !(err instanceof ConfigError)) throw err;
      if (err instanceof ConfigError) expect(err.message).not.toContain('\n');
    }
    expect(accepted).toBeGreaterThan(50); // the generator must exercise the success path too
  });

  it('gives the same result whatever the case of the keys', () => {
    const random = randomSource(6);
    const doc = {
      Network: '10.5.0.0/16',
      SubnetLen: 26,
      SubnetMin: '10.5.1.0',
      SubnetMax: '10.5.200.192',
      EnableIPv4: true,
      Networks: ['10.5.0.0/16'],
      Backend: { Type: 'vxlan', VNI: 9, Port: 4789, GBP: true, DirectRouting: true, MTU: 1400 },
    };
    const expected = parseBackendConfig(parseNetworkConfig(JSON.stringify(doc)));
    const expectedNet = parseNetworkConfig(JSON.stringify(doc));
    for (let run = 0; run < 200; run++) {
      const backend = Object.fromEntries(Object.entries(doc.Backend).map(([k, v]) => [randomCase(random, k), v]));
      const mixed = Object.fromEntries(
        Object.entries({ ...doc, Backend: backend }).map(([k, v]) => [randomCase(random, k), v]),
      );
      const cfg = parseNetworkConfig(JSON.stringify(mixed));
      expect({ ...cfg, backendRaw: undefined }).toEqual({ ...expectedNet, backendRaw: undefined });
      expect(parseBackendConfig(cfg)).toEqual(expected);
    }
  });
});
