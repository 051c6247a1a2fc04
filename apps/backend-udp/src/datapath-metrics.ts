import type { MetricSample } from '@flannel-ts/backend-protocol';

const DIRECTIONS = [
  { direction: 'tun_to_udp', packets: 'tunReadPackets', bytes: 'tunReadBytes' },
  { direction: 'udp_to_tun', packets: 'tunWrittenPackets', bytes: 'tunWrittenBytes' },
] as const;

/** dropNoRoute → no_route. */
const dropReason = (counter: string): string =>
  counter
    .slice('drop'.length)
    .replace(/^[A-Z]/, (c) => c.toLowerCase())
    .replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The native datapath's counters as Prometheus samples: inner packets and bytes per direction, drops by reason. */
export function datapathSamples(counters: Readonly<Record<string, number>>): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const d of DIRECTIONS) {
    const labels = { direction: d.direction };
    samples.push(
      { name: 'flannel_udp_packets_total', type: 'counter', help: 'Packets through the udp tunnel, by direction.', labels, value: counters[d.packets] ?? 0 },
      { name: 'flannel_udp_bytes_total', type: 'counter', help: 'Bytes of the packets through the udp tunnel, by direction.', labels, value: counters[d.bytes] ?? 0 },
    );
  }
  for (const [counter, value] of Object.entries(counters)) {
    if (!/^drop[A-Z]/.test(counter)) continue;
    samples.push({
      name: 'flannel_udp_drops_total',
      type: 'counter',
      help: 'Packets the udp datapath dropped, by reason.',
      labels: { reason: dropReason(counter) },
      value,
    });
  }
  return samples;
}
