import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { formatIP4, formatIP4Net, parseIP4, parseIP4Net } from '@flannel-ts/ip';
import type { Lease } from '@flannel-ts/backend-protocol';
import { PeerSet } from './peer-set.js';

const lease = (subnet: string, backendType?: string, backendData?: Record<string, unknown>): Lease => ({
  subnet: parseIP4Net(subnet),
  publicIp: parseIP4('192.0.2.12'),
  ...(backendType ? { backendType } : {}),
  ...(backendData ? { backendData } : {}),
});

/** A PeerSet whose log lines are collected. */
function peerSet(): { set: PeerSet; lines: string[] } {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push((JSON.parse(line) as { msg: string }).msg) });
  return { set: new PeerSet(log), lines };
}
const show = (set: PeerSet) => [...set.values()].map((p) => `${formatIP4Net(p.subnet)} ${formatIP4(p.publicIp)} ${p.vtepMac}`);

describe('PeerSet', () => {
  it('finds a peer by subnet and knows which VtepMACs are in use, also when two peers share one', () => {
    const { set } = peerSet();
    const mac = '0a:58:0a:f4:02:00';
    set.replaceAll([lease('10.244.2.0/24', 'vxlan', { VtepMAC: mac }), lease('10.244.3.0/24', 'vxlan', { VtepMAC: mac })]);
    expect(set.get('10.244.2.0-24')?.vtepMac).toBe(mac);
    set.apply({ type: 'removed', lease: lease('10.244.2.0/24', 'vxlan') });
    expect(set.get('10.244.2.0-24')).toBeUndefined();
    expect(set.usesMac(mac)).toBe(true);
    set.apply({ type: 'added', lease: lease('10.244.3.0/24', 'vxlan', { VtepMAC: '0a:58:0a:f4:03:00' }) });
    expect(set.usesMac(mac)).toBe(false);
    expect(set.usesMac('0a:58:0a:f4:03:00')).toBe(true);
    set.apply({ type: 'added', lease: lease('10.244.3.0/24', 'host-gw') });
    expect(set.usesMac('0a:58:0a:f4:03:00')).toBe(false);
  });

  it('keeps vxlan peers with their VtepMAC, lower-cased', () => {
    const { set } = peerSet();
    set.replaceAll([lease('10.244.2.0/24', 'vxlan', { VNI: 1, VtepMAC: '0A:58:0A:F4:02:00' })]);
    set.apply({ type: 'added', lease: lease('10.244.3.0/24', 'vxlan', { VtepMAC: '0a:58:0a:f4:03:00' }) });
    expect(show(set)).toEqual(['10.244.2.0/24 192.0.2.12 0a:58:0a:f4:02:00', '10.244.3.0/24 192.0.2.12 0a:58:0a:f4:03:00']);
    set.apply({ type: 'removed', lease: lease('10.244.2.0/24', 'vxlan') });
    expect(show(set)).toEqual(['10.244.3.0/24 192.0.2.12 0a:58:0a:f4:03:00']);
    set.replaceAll([]);
    expect(set.size).toBe(0);
  });

  it('ignores other backend types and unusable BackendData, with one line each until it changes', () => {
    const { set, lines } = peerSet();
    const hostGw = lease('10.244.4.0/24', 'host-gw');
    set.replaceAll([hostGw, lease('10.244.5.0/24'), lease('10.244.6.0/24', 'vxlan', { VNI: 1 })]);
    set.apply({ type: 'added', lease: hostGw });
    set.replaceAll([hostGw, lease('10.244.6.0/24', 'vxlan', { VtepMAC: '01:00:5e:00:00:01' })]);
    expect(set.size).toBe(0);
    expect(lines).toEqual([
      'Ignoring non-vxlan subnet: type=host-gw (10.244.4.0/24)',
      'Ignoring non-vxlan subnet: type= (10.244.5.0/24)',
      'Ignoring vxlan subnet 10.244.6.0/24: BackendData has no VtepMAC',
      'Ignoring vxlan subnet 10.244.6.0/24: BackendData.VtepMAC "01:00:5e:00:00:01" is not a unicast MAC address',
    ]);
  });

  it('drops a vxlan peer whose lease turns into another type', () => {
    const { set } = peerSet();
    set.replaceAll([lease('10.244.2.0/24', 'vxlan', { VtepMAC: '0a:58:0a:f4:02:00' })]);
    set.apply({ type: 'added', lease: lease('10.244.2.0/24', 'host-gw') });
    expect(set.size).toBe(0);
  });
});
