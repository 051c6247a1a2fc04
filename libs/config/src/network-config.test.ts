import { describe, expect, it } from 'vitest';
import { formatIP4, formatIP4Net } from '@flannel-ts/ip';
import { ConfigError } from './errors.js';
import { parseNetworkConfig, type NetworkConfig } from './network-config.js';

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const parse = (doc: object): NetworkConfig => parseNetworkConfig(JSON.stringify(doc));
const failure = (doc: object): ConfigError => thrown(() => parse(doc));

function summary(cfg: NetworkConfig): { network: string; subnetLen: number; min: string; max: string } {
  return {
    network: formatIP4Net(cfg.network),
    subnetLen: cfg.subnetLen,
    min: formatIP4(cfg.subnetMin),
    max: formatIP4(cfg.subnetMax),
  };
}

describe('defaults (flannel v0.20 rules)', () => {
  it.each([
    ['10.1.0.0/16', 24, '10.1.1.0', '10.1.255.0'],
    ['10.1.0.0/24', 26, '10.1.0.64', '10.1.0.192'],
    ['10.1.0.0/22', 24, '10.1.1.0', '10.1.3.0'],
    ['10.1.0.0/23', 25, '10.1.0.128', '10.1.1.128'],
    ['10.1.0.0/28', 30, '10.1.0.4', '10.1.0.12'],
    ['10.0.0.0/8', 24, '10.0.1.0', '10.255.255.0'],
    ['128.0.0.0/1', 24, '128.0.1.0', '255.255.255.0'],
  ])('%s → /%i, %s .. %s', (network, subnetLen, min, max) => {
    expect(summary(parse({ Network: network }))).toEqual({ network, subnetLen, min, max });
  });

  it('treats SubnetLen 0 and SubnetMin/Max 0.0.0.0 as not given, as flannel does', () => {
    const cfg = parse({ Network: '10.1.0.0/16', SubnetLen: 0, SubnetMin: '0.0.0.0', SubnetMax: '0.0.0.0' });
    expect(summary(cfg)).toEqual({ network: '10.1.0.0/16', subnetLen: 24, min: '10.1.1.0', max: '10.1.255.0' });
  });

  it('defaults the backend to udp when Backend is absent', () => {
    const cfg = parse({ Network: '10.1.0.0/16' });
    expect(cfg.backendType).toBe('udp');
    expect(cfg.backendRaw).toBeUndefined();
    expect(cfg.networks).toEqual([]);
  });
});

describe('given values', () => {
  it('keeps a valid SubnetLen, SubnetMin and SubnetMax', () => {
    const cfg = parse({ Network: '10.1.0.0/16', SubnetLen: 26, SubnetMin: '10.1.4.64', SubnetMax: '10.1.9.192' });
    expect(summary(cfg)).toEqual({ network: '10.1.0.0/16', subnetLen: 26, min: '10.1.4.64', max: '10.1.9.192' });
  });

  it('computes Min/Max defaults from the given SubnetLen', () => {
    expect(summary(parse({ Network: '10.1.0.0/16', SubnetLen: 20 }))).toMatchObject({
      min: '10.1.16.0',
      max: '10.1.240.0',
    });
  });

  it('accepts SubnetLen /30 and exactly four subnets', () => {
    expect(parse({ Network: '10.1.0.0/16', SubnetLen: 30 }).subnetLen).toBe(30);
    expect(summary(parse({ Network: '10.1.0.0/16', SubnetLen: 18 }))).toMatchObject({
      min: '10.1.64.0',
      max: '10.1.192.0',
    });
  });

  it('accepts SubnetMin equal to SubnetMax (one subnet)', () => {
    const cfg = parse({ Network: '10.1.0.0/16', SubnetMin: '10.1.7.0', SubnetMax: '10.1.7.0' });
    expect(cfg.subnetMin).toBe(cfg.subnetMax);
  });

  it('masks host bits of Network like Go net.ParseCIDR', () => {
    expect(formatIP4Net(parse({ Network: '10.1.2.3/16' }).network)).toBe('10.1.0.0/16');
  });
});

describe('Go encoding/json behaviour', () => {
  it('matches field names case-insensitively', () => {
    const cfg = parseNetworkConfig(
      '{"network":"10.1.0.0/16","subnetlen":25,"SUBNETMIN":"10.1.2.0","subnetMax":"10.1.3.0",' +
        '"backend":{"type":"VXLAN"}}',
    );
    expect(summary(cfg)).toEqual({ network: '10.1.0.0/16', subnetLen: 25, min: '10.1.2.0', max: '10.1.3.0' });
    expect(cfg.backendType).toBe('vxlan');
  });

  it('ignores unknown fields, including flannel’s own unserialised BackendType', () => {
    const cfg = parse({ Network: '10.1.0.0/16', Foo: [1, { x: 2 }], BackendType: 42 });
    expect(cfg.backendType).toBe('udp');
  });

  it('lets the last of several differently cased keys win', () => {
    expect(formatIP4Net(parseNetworkConfig('{"Network":"10.1.0.0/16","network":"10.2.0.0/16"}').network)).toBe(
      '10.2.0.0/16',
    );
  });

  it('treats null as absent for plain fields', () => {
    expect(parse({ Network: '10.1.0.0/16', SubnetLen: null, EnableIPv4: null, Networks: null }).subnetLen).toBe(24);
  });
});

describe('errors: document and Network', () => {
  it('rejects invalid JSON and non-objects', () => {
    expect(thrown(() => parseNetworkConfig('{"Network": "10.1.0.0/16"')).message).toMatch(/^config: invalid JSON: /);
    expect(thrown(() => parseNetworkConfig('[]')).message).toBe('config: must be a JSON object (got an array)');
  });

  it('requires Network', () => {
    const err = failure({ SubnetLen: 24 });
    expect(err.field).toBe('Network');
    expect(err.message).toBe(
      'config: Network: please define a correct Network parameter in the flannel config (missing)',
    );
    expect(failure({ Network: '0.0.0.0/0' }).message).toContain(
      'please define a correct Network parameter in the flannel config (got 0.0.0.0/0)',
    );
  });

  it.each([['10.1.0.0'], [''], ['10.1.0.0/33'], ['fd00::/64'], ['10.1.0.256/16']])(
    'rejects Network %j',
    (network) => {
      const err = failure({ Network: network });
      expect(err.field).toBe('Network');
      const got = JSON.stringify(network);
      expect(err.message).toBe(`config: Network: must be an IPv4 CIDR like 10.1.0.0/16 (got ${got})`);
    },
  );

  it('rejects Network of the wrong JSON type, null included', () => {
    expect(failure({ Network: 10 }).message).toBe('config: Network: must be an IPv4 CIDR like 10.1.0.0/16 (got 10)');
    expect(failure({ Network: null }).field).toBe('Network');
  });

  it('rejects a network smaller than /28 when SubnetLen is not given', () => {
    const err = failure({ Network: '10.1.0.0/29' });
    expect(err.field).toBe('Network');
    expect(err.message).toBe(
      'config: Network: network is too small. Minimum useful network prefix is /28 (got 10.1.0.0/29)',
    );
  });
});

describe('errors: SubnetLen', () => {
  it('must be less than /31', () => {
    const err = failure({ Network: '10.1.0.0/16', SubnetLen: 31 });
    expect(err.field).toBe('SubnetLen');
    expect(err.message).toBe('config: SubnetLen: must be less than /31 (got 31)');
    expect(failure({ Network: '10.1.0.0/16', SubnetLen: 1000 }).field).toBe('SubnetLen');
  });

  it('must leave room for four subnets', () => {
    const err = failure({ Network: '10.1.0.0/16', SubnetLen: 17 });
    expect(err.field).toBe('SubnetLen');
    expect(err.message).toBe(
      'config: SubnetLen: network must be able to accommodate at least four subnets ' +
        '(got /17 for Network 10.1.0.0/16; needs /18 or longer)',
    );
    expect(failure({ Network: '10.1.0.0/16', SubnetLen: 16 }).field).toBe('SubnetLen');
    expect(failure({ Network: '10.1.0.0/16', SubnetLen: 8 }).field).toBe('SubnetLen');
    expect(failure({ Network: '10.1.0.0/29', SubnetLen: 30 }).field).toBe('SubnetLen');
  });

  it.each([[-1], [24.5], ['24'], [true], [[24]]])('must be an unsigned integer, not %j', (value) => {
    const err = failure({ Network: '10.1.0.0/16', SubnetLen: value });
    expect(err.field).toBe('SubnetLen');
    expect(err.message).toMatch(/^config: SubnetLen: must be an unsigned integer \(got .+\)$/);
  });
});

describe('errors: SubnetMin and SubnetMax', () => {
  it.each([['SubnetMin'], ['SubnetMax']])('%s must be inside Network', (field) => {
    const err = failure({ Network: '10.1.0.0/16', [field]: '10.2.0.0' });
    expect(err.field).toBe(field);
    expect(err.message).toBe(
      `config: ${field}: ${field} is not in the range of the Network (10.2.0.0 is outside 10.1.0.0/16)`,
    );
  });

  it.each([['SubnetMin'], ['SubnetMax']])('%s must be on a SubnetLen boundary', (field) => {
    const err = failure({ Network: '10.1.0.0/16', [field]: '10.1.5.128' });
    expect(err.field).toBe(field);
    expect(err.message).toBe(
      `config: ${field}: ${field} is not on a SubnetLen boundary: 10.1.5.128 (SubnetLen is /24)`,
    );
  });

  it('SubnetMin must not be above SubnetMax', () => {
    const err = failure({ Network: '10.1.0.0/16', SubnetMin: '10.1.9.0', SubnetMax: '10.1.3.0' });
    expect(err.field).toBe('SubnetMin');
    expect(err.message).toBe(
      'config: SubnetMin: SubnetMin 10.1.9.0 is above SubnetMax 10.1.3.0, so no subnet can be allocated',
    );
    expect(failure({ Network: '10.1.0.0/16', SubnetMax: '10.1.0.0' }).message).toContain(
      'SubnetMin 10.1.1.0 is above SubnetMax 10.1.0.0',
    );
  });

  it.each([['10.1.1'], ['fd00::1'], ['010.1.1.0'], [''], [null], [167837952]])('rejects SubnetMin %j', (value) => {
    const err = failure({ Network: '10.1.0.0/16', SubnetMin: value });
    expect(err.field).toBe('SubnetMin');
    expect(err.message).toMatch(/^config: SubnetMin: must be (an IPv4 address like 10\.1\.1\.0|a string) \(got .+\)$/);
  });
});

describe('address family', () => {
  it('refuses EnableIPv4: false', () => {
    const err = failure({ Network: '10.1.0.0/16', EnableIPv4: false });
    expect(err.field).toBe('EnableIPv4');
    expect(err.message).toBe('config: EnableIPv4: must not be false: flannel-ts supports IPv4 only');
    expect(parse({ Network: '10.1.0.0/16', EnableIPv4: true }).subnetLen).toBe(24);
    expect(failure({ Network: '10.1.0.0/16', EnableIPv4: 'yes' }).field).toBe('EnableIPv4');
  });

  it('refuses EnableIPv6: true', () => {
    const err = failure({ Network: '10.1.0.0/16', EnableIPv6: true, IPv6Network: 'fd00::/56' });
    expect(err.field).toBe('EnableIPv6');
    expect(err.message).toMatch(/^config: EnableIPv6: IPv6 is not supported/);
  });

  it('accepts well-formed IPv6 fields while IPv6 is off', () => {
    const cfg = parse({
      Network: '10.1.0.0/16',
      EnableIPv6: false,
      IPv6Network: 'fd00:1::/56',
      IPv6SubnetLen: 64,
      IPv6SubnetMin: 'fd00:1:0:1::',
      IPv6SubnetMax: null,
      IPv6Networks: ['fd00:2::/56', '10.9.0.0/16'],
    });
    expect(cfg.subnetLen).toBe(24);
  });

  it.each([
    [{ EnableIPv6: 1 }, 'EnableIPv6'],
    [{ IPv6Network: 'fd00::' }, 'IPv6Network'],
    [{ IPv6Network: 'fd00::/129' }, 'IPv6Network'],
    [{ IPv6Network: 'fe80::1%eth0/64' }, 'IPv6Network'],
    [{ IPv6Network: null }, 'IPv6Network'],
    [{ IPv6SubnetLen: -64 }, 'IPv6SubnetLen'],
    [{ IPv6SubnetMin: 'fd00::g' }, 'IPv6SubnetMin'],
    [{ IPv6SubnetMax: 7 }, 'IPv6SubnetMax'],
    [{ IPv6Networks: 'fd00::/56' }, 'IPv6Networks'],
    [{ IPv6Networks: ['fd00::/56', 'nope'] }, 'IPv6Networks[1]'],
    [{ IPv6Networks: [null] }, 'IPv6Networks[0]'],
  ])('rejects malformed IPv6 field %j', (extra, field) => {
    expect(failure({ Network: '10.1.0.0/16', ...extra }).field).toBe(field);
  });
});

describe('Networks (experimental)', () => {
  it('parses the list, masking host bits', () => {
    const cfg = parse({ Network: '10.1.0.0/16', Networks: ['10.1.0.0/16', '10.3.4.5/16'] });
    expect(cfg.networks.map(formatIP4Net)).toEqual(['10.1.0.0/16', '10.3.0.0/16']);
  });

  it('names the bad entry', () => {
    const err = failure({ Network: '10.1.0.0/16', Networks: ['10.1.0.0/16', '10.3.0.0'] });
    expect(err.field).toBe('Networks[1]');
    expect(err.message).toBe('config: Networks[1]: must be an IPv4 CIDR like 10.1.0.0/16 (got "10.3.0.0")');
    expect(failure({ Network: '10.1.0.0/16', Networks: '10.1.0.0/16' }).field).toBe('Networks');
  });
});

describe('Backend section', () => {
  it('keeps Backend raw and lower-cases its Type', () => {
    const backend = { Type: 'Host-GW', Extra: { a: 1 } };
    const cfg = parse({ Network: '10.1.0.0/16', Backend: backend });
    expect(cfg.backendType).toBe('host-gw');
    expect(cfg.backendRaw).toEqual(backend);
  });

  it('gives type "" to a Backend without Type (or null)', () => {
    expect(parse({ Network: '10.1.0.0/16', Backend: { VNI: 4 } }).backendType).toBe('');
    expect(parse({ Network: '10.1.0.0/16', Backend: { Type: null } }).backendType).toBe('');
    const cfg = parse({ Network: '10.1.0.0/16', Backend: null });
    expect(cfg.backendType).toBe('');
    expect(cfg.backendRaw).toEqual({});
  });

  it('leaves an unknown type for parseBackendConfig to refuse', () => {
    expect(parse({ Network: '10.1.0.0/16', Backend: { type: 'IPIP' } }).backendType).toBe('ipip');
  });

  it('rejects a Backend that is not an object, or a Type that is not a string', () => {
    const err = failure({ Network: '10.1.0.0/16', Backend: 'vxlan' });
    expect(err.field).toBe('Backend');
    expect(err.message).toBe('config: Backend: must be an object like {"Type":"vxlan"} (got "vxlan")');
    expect(failure({ Network: '10.1.0.0/16', Backend: ['vxlan'] }).field).toBe('Backend');
    const typeErr = failure({ Network: '10.1.0.0/16', Backend: { type: 5 } });
    expect(typeErr.field).toBe('Backend.Type');
    expect(typeErr.message).toBe('config: Backend.Type: must be a string (got 5)');
  });
});
