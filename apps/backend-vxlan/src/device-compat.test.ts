import { describe, expect, it } from 'vitest';
import type { LinkInfo } from '@flannel-ts/netlink';
import { incompatibility, type VxlanDeviceSpec } from './device-compat.js';

const want: VxlanDeviceSpec = { name: 'flannel.1', vni: 1, local: '192.0.2.11', vtepIndex: 2, port: 0, learning: false, gbp: false, mtu: 1450 };
const link = (vxlan: Partial<NonNullable<LinkInfo['vxlan']>> = {}, kind = 'vxlan'): LinkInfo => ({
  index: 5,
  name: 'flannel.1',
  kind,
  mtu: 1400,
  up: false,
  flags: 0,
  mac: '0a:58:0a:f4:00:02',
  vxlan: { vni: 1, local: '192.0.2.11', port: 8472, learning: false, gbp: false, vtepIndex: 2, ...vxlan },
});

describe('incompatibility', () => {
  it('accepts the device Go flanneld or we made (the MTU is not checked: it is set)', () => {
    expect(incompatibility(link(), want)).toBeUndefined();
    expect(incompatibility(link({ port: 4789 }), { ...want, port: 4789 })).toBeUndefined();
  });

  it('does not hold what the kernel does not report against the link', () => {
    const { local: _local, vtepIndex: _vtep, ...bare } = link().vxlan!;
    expect(incompatibility({ ...link(), vxlan: bare }, want)).toBeUndefined();
  });

  it('names every difference', () => {
    expect(incompatibility(link({}, 'bridge'), want)).toBe('type bridge (wanted vxlan)');
    expect(incompatibility({ ...link(), kind: undefined, vxlan: undefined } as unknown as LinkInfo, want)).toBe('type unknown (wanted vxlan)');
    expect(incompatibility(link({ vni: 7 }), want)).toBe('vni 7 (wanted 1)');
    expect(incompatibility(link({ vtepIndex: 3, local: '192.0.2.99' }), want)).toBe('vtep device index 3 (wanted 2), local address 192.0.2.99 (wanted 192.0.2.11)');
    // Port 0 stands for the kernel's 8472.
    expect(incompatibility(link({ port: 4789 }), want)).toBe('port 4789 (wanted 8472)');
    expect(incompatibility(link({ learning: true, gbp: true }), want)).toBe('learning true (wanted false), gbp true (wanted false)');
  });
});
