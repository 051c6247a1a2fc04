import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { describe, expect, test } from 'vitest';
import { parsePeerSpec } from './peer-spec.js';

describe('parsePeerSpec', () => {
  test('SUBNET=PUBLICIP', () => {
    expect(parsePeerSpec('10.244.2.0/24=192.0.2.12')).toEqual({ subnet: parseIP4Net('10.244.2.0/24'), publicIp: parseIP4('192.0.2.12') });
  });

  test('SUBNET=PUBLICIP,BACKENDDATA (JSON with commas and = inside)', () => {
    expect(parsePeerSpec('10.244.2.0/24=192.0.2.12,{"VNI":1,"VtepMAC":"5a:1f:0c:2e:33:9b","x":"a=b"}')).toEqual({
      subnet: parseIP4Net('10.244.2.0/24'),
      publicIp: parseIP4('192.0.2.12'),
      backendData: { VNI: 1, VtepMAC: '5a:1f:0c:2e:33:9b', x: 'a=b' },
    });
  });

  test.each([
    ['10.244.2.0/24', 'expected SUBNET=PUBLICIP[,BACKENDDATA-JSON]'],
    ['10.244.2.1/24=192.0.2.12', '"10.244.2.1/24" is not an IPv4 prefix with its host bits clear'],
    ['10.244.2.0/24=192.0.2', '"192.0.2" is not an IPv4 address'],
    ['10.244.2.0/24=192.0.2.12,{', 'BackendData is not JSON: '],
    ['10.244.2.0/24=192.0.2.12,[1]', 'BackendData must be a JSON object'],
  ])('refuses %s', (text, message) => {
    expect(() => parsePeerSpec(text)).toThrow(message);
  });
});
