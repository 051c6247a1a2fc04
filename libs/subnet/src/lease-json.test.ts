import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIP4 } from '@flannel-ts/ip';
import { decodeLeaseAttrs, encodeLeaseAttrs } from './lease-json.js';

// One line per backend type: the value Go flanneld v0.20 writes.
const golden = Object.fromEntries(
  readFileSync(new URL('./__golden__/lease-values.txt', import.meta.url), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => line.split(' ', 2) as [string, string]),
);

describe('lease value JSON', () => {
  const publicIp = parseIP4('10.0.0.5');

  it('writes udp, alloc, aws-vpc and gce leases without a BackendType', () => {
    for (const type of ['udp', 'alloc', 'aws-vpc', 'gce']) {
      expect(encodeLeaseAttrs({ publicIp })).toBe(golden[type]);
    }
  });

  it('writes host-gw and vxlan leases byte for byte as Go flanneld v0.20', () => {
    expect(encodeLeaseAttrs({ publicIp, backendType: 'host-gw' })).toBe(golden['host-gw']);
    expect(
      encodeLeaseAttrs({ publicIp, backendType: 'vxlan', backendData: '{ "VNI": 1, "VtepMAC": "5a:1f:0c:2e:33:9b" }' }),
    ).toBe(golden['vxlan']);
  });

  it('reads what Go flanneld v0.20 and v0.5 write, ignoring unknown fields and case', () => {
    expect(decodeLeaseAttrs(golden['vxlan']!)).toEqual({
      publicIp,
      backendType: 'vxlan',
      backendData: '{"VNI":1,"VtepMAC":"5a:1f:0c:2e:33:9b"}',
    });
    expect(decodeLeaseAttrs('{"PublicIP":"10.0.0.5"}')).toEqual({ publicIp });
    expect(decodeLeaseAttrs('{"publicip":"10.0.0.5","BackendType":"","Extra":[1]}')).toEqual({ publicIp });
    expect(decodeLeaseAttrs('{"PublicIP":"10.0.0.5","PublicIPv6":"fd00::5","BackendV6Data":{"VNI":1}}')).toEqual({
      publicIp,
    });
  });

  it('round-trips every golden value', () => {
    for (const value of Object.values(golden)) expect(encodeLeaseAttrs(decodeLeaseAttrs(value))).toBe(value);
  });

  it('rejects values that are not leases, naming the value', () => {
    expect(() => decodeLeaseAttrs('not json')).toThrow('lease value is not JSON: not json');
    expect(() => decodeLeaseAttrs('[1]')).toThrow('not a JSON object');
    expect(() => decodeLeaseAttrs('{"PublicIP":"10.0.0.300"}')).toThrow('no valid PublicIP');
    expect(() => decodeLeaseAttrs('{"PublicIP":"10.0.0.3","BackendType":7}')).toThrow('non-string BackendType');
  });
});
