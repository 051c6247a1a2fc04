import { describe, expect, it } from 'vitest';
import { parseIP4Net } from '@flannel-ts/ip';
import { apiPaths, parseApiPath, parseSubnetSegment } from './paths.js';

describe('API paths', () => {
  const sn = parseIP4Net('10.1.15.0/24');

  it('builds paths with _ for the unnamed network and the key form of subnets', () => {
    expect(apiPaths.config('')).toBe('/v1/_/config');
    expect(apiPaths.leases('blue', '17')).toBe('/v1/blue/leases?next=17');
    expect(apiPaths.lease('', sn)).toBe('/v1/_/leases/10.1.15.0-24');
    expect(apiPaths.reservation('a b', sn)).toBe('/v1/a%20b/reservations/10.1.15.0-24');
    expect(apiPaths.networks()).toBe('/v1/');
    expect(apiPaths.networks('5')).toBe('/v1/?next=5');
  });

  it('matches every route it builds', () => {
    expect(parseApiPath('/v1/')).toEqual({ resource: 'networks' });
    expect(parseApiPath('/v1/_/config')).toEqual({ resource: 'config', network: '' });
    expect(parseApiPath('/v1/blue/leases')).toEqual({ resource: 'leases', network: 'blue' });
    expect(parseApiPath('/v1/_/leases/10.1.15.0-24')).toEqual({ resource: 'lease', network: '', subnet: '10.1.15.0-24' });
    expect(parseApiPath('/v1/a%20b/reservations')).toEqual({ resource: 'reservations', network: 'a b' });
    expect(parseApiPath('/v1/_/reservations/x')).toEqual({ resource: 'reservation', network: '', subnet: 'x' });
  });

  it('matches nothing else', () => {
    for (const p of ['/v1', '/v2/_/config', '/v1/_/nope', '/v1//config', '/v1/_/config/x', '/v1/_/leases/a/b', '/v1/%zz/config', '/v1/a%2Fb/config']) {
      expect(parseApiPath(p)).toBeUndefined();
    }
  });

  it('reads subnet segments in the key form only', () => {
    expect(parseSubnetSegment('10.1.15.0-24')).toEqual(sn);
    for (const bad of ['10.1.15.0/24', '10.1.15.7-24', '10.1.15.0-33', 'x', '10.1.15.0-024']) {
      expect(parseSubnetSegment(bad)).toBeUndefined();
    }
  });
});
