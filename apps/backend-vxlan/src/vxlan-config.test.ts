import { describe, expect, it } from 'vitest';
import { vxlanConfig } from './vxlan-config.js';

describe('vxlanConfig', () => {
  it("fills Go flanneld's defaults and reads the keys case-insensitively", () => {
    expect(vxlanConfig({ Type: 'vxlan' })).toEqual({ type: 'vxlan', vni: 1, port: 0, gbp: false, learning: false, directRouting: false });
    expect(vxlanConfig({ Type: 'VXLAN', vni: 4, Port: 4789, DirectRouting: true, MTU: 1400 })).toMatchObject({ vni: 4, port: 4789, directRouting: true, mtu: 1400 });
  });

  it('refuses another type and bad values, naming them', () => {
    expect(() => vxlanConfig({ Type: 'host-gw' })).toThrow(/"host-gw".*vxlan/);
    expect(() => vxlanConfig({ Type: 'vxlan', VNI: 'one' })).toThrow(/VNI/);
  });
});
