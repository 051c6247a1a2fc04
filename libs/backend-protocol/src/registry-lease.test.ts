import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { describe, expect, test } from 'vitest';
import { protocolLease } from './registry-lease.js';

const subnet = parseIP4Net('10.244.3.0/24');
const publicIp = parseIP4('192.0.2.13');

describe('protocolLease', () => {
  test('parses BackendData and keeps the type', () => {
    const attrs = { publicIp, backendType: 'vxlan', backendData: '{"VNI":1,"VtepMAC":"5a:1f:0c:2e:33:9b"}' };
    expect(protocolLease({ subnet, attrs })).toEqual({
      subnet,
      publicIp,
      backendType: 'vxlan',
      backendData: { VNI: 1, VtepMAC: '5a:1f:0c:2e:33:9b' },
    });
  });

  test.each([undefined, '', 'null', ' null '])('BackendData %j counts as absent', (backendData) => {
    const lease = protocolLease({ subnet, attrs: { publicIp, ...(backendData === undefined ? {} : { backendData }) } });
    expect(lease).toEqual({ subnet, publicIp });
  });

  test.each([
    ['{', 'lease 10.244.3.0/24: BackendData is not JSON'],
    ['[1]', 'lease 10.244.3.0/24: BackendData is not a JSON object'],
    ['"x"', 'lease 10.244.3.0/24: BackendData is not a JSON object'],
  ])('refuses BackendData %s, naming the subnet', (backendData, message) => {
    expect(() => protocolLease({ subnet, attrs: { publicIp, backendData } })).toThrow(message);
  });
});
