import { describe, expect, it } from 'vitest';
import { parseNetworkConfig } from '@flannel-ts/config';
import { DeviceClaims } from './device-claims.js';

const config = (backend: object) => parseNetworkConfig(JSON.stringify({ Network: '10.1.0.0/16', Backend: backend }));

describe('DeviceClaims', () => {
  it('gives each vxlan VNI and udp port to one network at a time', () => {
    const claims = new DeviceClaims();
    expect(claims.claim('blue', config({ Type: 'vxlan', VNI: 1 }))).toBeUndefined();
    expect(claims.claim('blue', config({ Type: 'vxlan', VNI: 1 }))).toBeUndefined();
    expect(claims.claim('green', config({ Type: 'vxlan' }))).toBe('vxlan VNI 1 is already used by network "blue"');
    expect(claims.claim('green', config({ Type: 'vxlan', VNI: 2 }))).toBeUndefined();
    expect(claims.claim('red', config({ Type: 'udp' }))).toBeUndefined();
    expect(claims.claim('pink', config({ Type: 'udp', Port: 8285 }))).toBe('udp port 8285 is already used by network "red"');
    expect(claims.claim('teal', config({ Type: 'host-gw' }))).toBeUndefined();
    expect(claims.claim('cyan', config({ Type: 'host-gw' }))).toBeUndefined();
    claims.release('blue');
    expect(claims.claim('pink', config({ Type: 'vxlan', VNI: 1 }))).toBeUndefined();
  });
});
