import { describe, expect, it } from 'vitest';
import { udpOptions } from './udp-config.js';

describe('udpOptions', () => {
  it('fills flannel defaults: port 8285, offloads on; an absent Type means udp', () => {
    expect(udpOptions({ Type: 'udp' })).toEqual({ port: 8285, offloads: true });
    expect(udpOptions({})).toEqual({ port: 8285, offloads: true });
  });

  it('reads Port and our Offloads extension case-insensitively, as Go would', () => {
    expect(udpOptions({ Type: 'UDP', port: 9000, offloads: false })).toEqual({ port: 9000, offloads: false });
    expect(udpOptions({ Type: 'udp', Offloads: null })).toEqual({ port: 8285, offloads: true });
  });

  it('refuses a bad value naming the key, and another backend type', () => {
    expect(() => udpOptions({ Type: 'udp', Offloads: 'no' })).toThrow('config: Backend.Offloads: must be true or false (got "no")');
    expect(() => udpOptions({ Type: 'udp', Port: 70000 })).toThrow(/Backend\.Port/);
    expect(() => udpOptions({ Type: 'vxlan' })).toThrow('Backend.Type is "vxlan": the udp backend serves "udp" only');
  });
});
