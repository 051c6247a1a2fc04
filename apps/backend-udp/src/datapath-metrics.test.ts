import { describe, expect, it } from 'vitest';
import { datapathSamples } from './datapath-metrics.js';

describe('datapathSamples', () => {
  it('turns the native counters into packets and bytes per direction and drops by reason', () => {
    const samples = datapathSamples({ tunReadPackets: 5, tunReadBytes: 500, tunWrittenPackets: 4, tunWrittenBytes: 400, dropNoRoute: 2, dropNotIpv4Out: 1, udpSentDatagrams: 5 });
    const value = (name: string, labels: Record<string, string>) => samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;
    expect(value('flannel_udp_packets_total', { direction: 'tun_to_udp' })).toBe(5);
    expect(value('flannel_udp_bytes_total', { direction: 'udp_to_tun' })).toBe(400);
    expect(value('flannel_udp_drops_total', { reason: 'no_route' })).toBe(2);
    expect(value('flannel_udp_drops_total', { reason: 'not_ipv4_out' })).toBe(1);
    expect(samples.every((s) => s.type === 'counter')).toBe(true);
    expect(samples).toHaveLength(6);
  });
});
