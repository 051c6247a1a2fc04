import { describe, expect, it } from 'vitest';
import { BACKEND_TYPES, isBackendType, parseBackendConfig, type BackendConfig } from './backend-config.js';
import { ConfigError, UnknownBackendError } from './errors.js';
import { parseNetworkConfig } from './network-config.js';

function backendOf(backend: unknown): BackendConfig {
  return parseBackendConfig(parseNetworkConfig(JSON.stringify({ Network: '10.1.0.0/16', Backend: backend })));
}

function failure(backend: unknown): ConfigError {
  try {
    backendOf(backend);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('backend types', () => {
  it('knows exactly flannel’s registration names', () => {
    expect(BACKEND_TYPES).toEqual(['udp', 'vxlan', 'host-gw', 'aws-vpc', 'gce', 'alloc']);
    expect(isBackendType('vxlan')).toBe(true);
    expect(isBackendType('VXLAN')).toBe(false);
    expect(isBackendType('ipip')).toBe(false);
  });

  it('defaults to udp on port 8285 when Backend is absent', () => {
    expect(parseBackendConfig(parseNetworkConfig('{"Network":"10.1.0.0/16"}'))).toEqual({ type: 'udp', port: 8285, offloads: true });
  });

  it.each([['host-gw'], ['gce'], ['alloc'], ['aws-vpc']])('%s has no required options', (type) => {
    expect(backendOf({ Type: type, Whatever: 1 })).toMatchObject({ type });
  });

  it('refuses an unknown type naming the field, the value and the known types, distinguishable from other errors', () => {
    const err = failure({ Type: 'IPIP' });
    expect(err).toBeInstanceOf(UnknownBackendError);
    expect(err.message).toBe(
      'config: Backend.Type: unknown backend type "ipip" (known types: udp, vxlan, host-gw, aws-vpc, gce, alloc)',
    );
    expect(err.field).toBe('Backend.Type');
    expect((err as UnknownBackendError).backendType).toBe('ipip');
    expect(err.name).toBe('UnknownBackendError');
  });

  it('quotes a huge unknown type cut short, with its length', () => {
    const err = failure({ Type: 'w'.repeat(1 << 20) });
    expect(err.message).toBe(
      `config: Backend.Type: unknown backend type "${'w'.repeat(64)}…" (1048576 chars) (known types: udp, vxlan, host-gw, aws-vpc, gce, alloc)`,
    );
    expect((err as UnknownBackendError).backendType).toHaveLength(1 << 20);
  });

  it('refuses a Backend without Type as a missing Backend.Type', () => {
    const err = failure({ Port: 8285 });
    expect(err).toBeInstanceOf(UnknownBackendError);
    expect(err.message).toBe('config: Backend.Type: missing (known types: udp, vxlan, host-gw, aws-vpc, gce, alloc)');
    expect(failure(null)).toBeInstanceOf(UnknownBackendError);
  });

  it('lower-cases a type given directly', () => {
    expect(parseBackendConfig({ backendType: 'Host-Gw', backendRaw: undefined })).toEqual({ type: 'host-gw' });
  });
});

describe('udp', () => {
  it('reads Port and our Offloads extension case-insensitively', () => {
    expect(backendOf({ Type: 'udp', port: 9000 })).toEqual({ type: 'udp', port: 9000, offloads: true });
    expect(backendOf({ Type: 'UDP', Port: null, offloads: false })).toEqual({ type: 'udp', port: 8285, offloads: false });
  });

  it.each([[0], [65536], [-1]])('refuses Port %j', (port) => {
    const err = failure({ Type: 'udp', Port: port });
    expect(err).not.toBeInstanceOf(UnknownBackendError);
    expect(err.field).toBe('Backend.Port');
    expect(err.message).toBe(`config: Backend.Port: must be between 1 and 65535 (got ${port})`);
  });

  it('refuses a Port that is not an integer, and an Offloads that is not a boolean', () => {
    expect(failure({ Type: 'udp', Port: '8285' }).message).toBe(
      'config: Backend.Port: must be an integer (got "8285")',
    );
    expect(failure({ Type: 'udp', Offloads: 'no' }).message).toBe(
      'config: Backend.Offloads: must be true or false (got "no")',
    );
  });
});

describe('vxlan', () => {
  it('fills flannel’s defaults', () => {
    expect(backendOf({ Type: 'vxlan' })).toEqual({
      type: 'vxlan',
      vni: 1,
      port: 0,
      gbp: false,
      learning: false,
      directRouting: false,
    });
  });

  it('reads every option case-insensitively, MTU included', () => {
    expect(
      backendOf({ type: 'VxLan', vni: 42, PORT: 4789, gbp: true, Learning: true, directrouting: true, mtu: 1400 }),
    ).toEqual({ type: 'vxlan', vni: 42, port: 4789, gbp: true, learning: true, directRouting: true, mtu: 1400 });
  });

  it('accepts the range limits', () => {
    expect(backendOf({ Type: 'vxlan', VNI: 0, Port: 65535, MTU: 68 })).toMatchObject({ vni: 0, port: 65535, mtu: 68 });
    expect(backendOf({ Type: 'vxlan', VNI: 16777215, MTU: 65535 })).toMatchObject({ vni: 16777215, mtu: 65535 });
  });

  it.each([
    [{ VNI: 16777216 }, 'Backend.VNI', 'must be between 0 and 16777215 (got 16777216)'],
    [{ VNI: -1 }, 'Backend.VNI', 'must be between 0 and 16777215 (got -1)'],
    [{ VNI: '1' }, 'Backend.VNI', 'must be an integer (got "1")'],
    [{ Port: 65536 }, 'Backend.Port', 'must be between 0 and 65535 (got 65536)'],
    [{ GBP: 'true' }, 'Backend.GBP', 'must be true or false (got "true")'],
    [{ Learning: 1 }, 'Backend.Learning', 'must be true or false (got 1)'],
    [{ DirectRouting: {} }, 'Backend.DirectRouting', 'must be true or false (got an object)'],
    [{ MTU: 67 }, 'Backend.MTU', 'must be between 68 and 65535 (got 67)'],
    [{ MTU: 1450.5 }, 'Backend.MTU', 'must be an integer (got 1450.5)'],
    [{ VNI: 'x'.repeat(100_000) }, 'Backend.VNI', `must be an integer (got "${'x'.repeat(64)}…" (100000 chars))`],
  ])('refuses %j', (options, field, detail) => {
    const err = failure({ Type: 'vxlan', ...options });
    expect(err.field).toBe(field);
    expect(err.message).toBe(`config: ${field}: ${detail}`);
  });

  it('ignores options of other backends', () => {
    expect(backendOf({ Type: 'udp', VNI: 'not checked for udp' })).toEqual({ type: 'udp', port: 8285, offloads: true });
  });
});

describe('aws-vpc', () => {
  it('reads RouteTableID case-insensitively, a string or a list; empty means autodetect', () => {
    expect(backendOf({ Type: 'aws-vpc', routetableid: 'rtb-123' })).toEqual({ type: 'aws-vpc', routeTableIds: ['rtb-123'], routeCheckIntervalSeconds: 60 });
    expect(backendOf({ Type: 'aws-vpc', RouteTableID: ['rtb-1', 'rtb-2', 'rtb-1'] })).toMatchObject({ routeTableIds: ['rtb-1', 'rtb-2'] });
    expect(backendOf({ Type: 'aws-vpc', RouteTableID: '' })).toMatchObject({ routeTableIds: [] });
    expect(backendOf({ Type: 'aws-vpc', RouteTableID: [] })).toMatchObject({ routeTableIds: [] });
    expect(backendOf({ Type: 'aws-vpc' })).toMatchObject({ routeTableIds: [] });
  });

  it.each([
    [{ RouteTableID: 7 }, 'must be a string or a list of strings (got 7)'],
    [{ RouteTableID: ['rtb-1', 2] }, 'must name route tables as rtb-<id> (got 2)'],
    [{ RouteTableID: 'subnet-1' }, 'must name route tables as rtb-<id> (got "subnet-1")'],
  ])('refuses RouteTableID %j', (options, detail) => {
    const err = failure({ Type: 'aws-vpc', ...options });
    expect(err.field).toBe('Backend.RouteTableID');
    expect(err.message).toBe(`config: Backend.RouteTableID: ${detail}`);
  });
});

describe('cloud backends: RouteCheckInterval', () => {
  it.each(['aws-vpc', 'gce'])('%s: seconds, default 60', (Type) => {
    expect(backendOf({ Type })).toMatchObject({ type: Type, routeCheckIntervalSeconds: 60 });
    expect(backendOf({ Type, RouteCheckInterval: 5 })).toMatchObject({ routeCheckIntervalSeconds: 5 });
    expect(failure({ Type, RouteCheckInterval: 0 }).message).toBe('config: Backend.RouteCheckInterval: must be between 1 and 86400 (got 0)');
    expect(failure({ Type, RouteCheckInterval: '10s' }).message).toBe('config: Backend.RouteCheckInterval: must be an integer (got "10s")');
  });
});
